// The room subject (XEP-0045 §7.2.15, §8.1): sent last on every join — empty when there is none —
// from the occupant JID of whoever set it (the room's JID when nobody did), with <delay/> saying
// when it was set.
import { xml, type Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';
import { occupantId, setOccupantId } from './occupant-id.ts';
import type { Room } from './room.ts';
import type { Subject } from './types.ts';

/** The subject message for joins (no 'to' yet). */
export function subjectMessage(room: Room): Element {
  const s = room.subject;
  const from = s?.nick ? `${room.jid.toString()}/${s.nick}` : room.jid.toString();
  const m = xml('message', { xmlns: NS.client, type: 'groupchat', from, id: `subject-${room.createdSeq}-${s?.stamp ?? 0}` }, xml('subject', {}, s?.text ?? ''));
  if (s) m.append(xml('delay', { xmlns: NS.delay, from: room.jid.toString(), stamp: new Date(s.stamp).toISOString() }));
  if (s?.byJid) setOccupantId(m, room.occupantId(s.byJid));
  return m;
}

export function serializeSubject(s: Subject | null): string | null {
  return s ? JSON.stringify(s) : null;
}

export function parseSubject(text: string | null): Subject | null {
  if (!text) return null;
  try {
    const v = JSON.parse(text) as Partial<Subject>;
    if (typeof v.text !== 'string' || typeof v.stamp !== 'number') return null;
    return { text: v.text, nick: typeof v.nick === 'string' ? v.nick : null, stamp: v.stamp, byJid: typeof v.byJid === 'string' ? v.byJid : null };
  } catch {
    return null;
  }
}
