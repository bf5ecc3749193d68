// Where a room's messages go and come back from: the room archive (XEP-0313 on the room JID,
// through the ArchiveStore, owner = the room's bare JID) when archiving is on, else a small
// in-memory ring. Both give every groupchat message its XEP-0359 stanza-id (by = room). Stored
// copies carry the sender's real JID in a muc#user item so MAM and history can show it to those who
// may see it (XEP-0313 §5.1.2) and strip it for the others. XEP-0425 tombstones replace moderated
// messages wherever they are read back.
import { randomUUID } from 'node:crypto';
import type { Jid } from '../../jid/index.ts';
import type { ArchiveOwner } from '../../storage/types.ts';
import { parseElement } from '../../xml/parse-element.ts';
import { xml, type Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';
import type { MucCtx } from './context.ts';
import { historyWindow, HistoryRing, selectHistory, type HistoryItem, type HistoryRequest } from './history.ts';
import type { Room } from './room.ts';
import { NS_MUC_USER } from './xep0045.ts';

const rings = new WeakMap<Room, HistoryRing>();

export function archiveOwner(room: Room): ArchiveOwner {
  return { username: room.jid.local, domain: room.jid.domain };
}

function ring(ctx: MucCtx, room: Room): HistoryRing {
  let r = rings.get(room);
  if (!r) rings.set(room, (r = new HistoryRing(ctx.options.max_history)));
  return r;
}

/** Whether a stored message is a subject change (§8.1: subject, no body), which is not history. */
function isSubjectChange(m: Element): boolean {
  return !!m.getChild('subject') && !m.getChild('body');
}

/** Remove muc#user elements (client-sent, or our stored real-JID item). */
export function stripMucUser(m: Element): void {
  m.removeChildren((c) => c.is('x', NS_MUC_USER));
}

/**
 * Store a reflected groupchat message (from = occupant JID, no 'to') once; resolves with its
 * stanza-id. `realJid` is the sender's full JID, kept for those allowed to see it.
 */
export function storeMessage(ctx: MucCtx, room: Room, reflected: Element, realJid: Jid): Promise<string> {
  const copy = reflected.clone();
  delete copy.attrs.to;
  copy.attrs.xmlns = NS.client;
  copy.append(xml('x', { xmlns: NS_MUC_USER }, xml('item', { jid: realJid.toString() })));
  const stanza = copy.toString();
  if (!room.config.archive) {
    const id = randomUUID();
    ring(ctx, room).push({ id, timestamp: ctx.now(), stanza });
    return Promise.resolve(id);
  }
  // Room archives are filtered by the occupant JID ('with'), never the real JID (no probing).
  // Resolves at the commit (the stanza-id is then queryable), not at the WAL fsync: as for 1:1
  // messages, the sender's stream counts the message handled here (MucService.handle) and its
  // XEP-0198 <a/> waits for Storage.durable().
  return ctx.archive.append([{ owner: archiveOwner(room), with: reflected.attrs.from!, stanza, direction: 'in' }], { waitForDisk: false }).then(([r]) => r.id);
}

/** A stored message as a viewer gets it: tombstone applied, real JID only for `seeJids`. */
export function renderStored(stanza: string, seeJids: boolean, tombstone: string | undefined): Element | null {
  const m = parseElement(tombstone ?? stanza);
  if (!m) return null;
  const item = m.getChild('x', NS_MUC_USER)?.getChild('item');
  const jid = item?.attrs.jid;
  stripMucUser(m);
  if (seeJids && jid) m.append(xml('x', { xmlns: NS_MUC_USER }, xml('item', { jid })));
  return m;
}

/** Tombstones for these archive ids (XEP-0425). */
export function tombstonesFor(ctx: MucCtx, room: Room, ids: string[]): Promise<Map<string, string>> {
  return ids.length ? ctx.store.tombstones(room.jid.toString(), ids) : Promise.resolve(new Map());
}

/**
 * §7.2.14 history for a joining occupant, oldest first: each message from the occupant JID that
 * sent it, with <delay from=room/> and the room's <stanza-id/>; no 'to' yet.
 */
export async function historyFor(ctx: MucCtx, room: Room, req: HistoryRequest, seeJids: boolean): Promise<Element[]> {
  const win = historyWindow(req, { defaultStanzas: ctx.options.default_history, maxFetch: Math.min(room.config.maxHistoryFetch, ctx.options.max_history) }, ctx.now());
  if (win.limit <= 0 || req.maxchars === 0) return [];
  let candidates: HistoryItem[];
  if (room.config.archive) {
    // A few extra rows make up for subject changes, which are archived but are not history.
    const page = await ctx.archive.query(archiveOwner(room), { backwards: true, limit: win.limit + 8, start: win.start });
    candidates = page.items.map((i) => ({ id: i.id, timestamp: i.timestamp, stanza: i.stanza }));
  } else candidates = ring(ctx, room).recent(win.limit + 8, win.start);
  const tombstones = await tombstonesFor(ctx, room, candidates.map((c) => c.id));
  const rendered: Array<HistoryItem & { el: Element }> = [];
  for (const c of candidates) {
    const el = renderStored(c.stanza, seeJids, tombstones.get(c.id));
    if (!el || isSubjectChange(el)) continue;
    el.append(xml('delay', { xmlns: NS.delay, from: room.jid.toString(), stamp: new Date(c.timestamp).toISOString() }));
    el.append(xml('stanza-id', { xmlns: NS.stanzaId, by: room.jid.toString(), id: c.id }));
    rendered.push({ ...c, stanza: el.toString(), el });
  }
  return selectHistory(rendered, req, win).map((i) => (i as HistoryItem & { el: Element }).el);
}

export function forgetHistory(room: Room): void {
  rings.get(room)?.clear();
  rings.delete(room);
}

/** A stored message of the room by its stanza-id (archive or ring), or null. */
export async function findStored(ctx: MucCtx, room: Room, id: string): Promise<{ stanza: string; timestamp: number } | null> {
  if (!room.config.archive) return ring(ctx, room).find(id) ?? null;
  const page = await ctx.archive.query(archiveOwner(room), { ids: [id], limit: 1 });
  const item = page.items[0];
  return item ? { stanza: item.stanza, timestamp: item.timestamp } : null;
}
