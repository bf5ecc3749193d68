// Messages through the room: groupchat to all occupants (XEP-0045 §7.4) with the same id, one
// XEP-0421 occupant-id and the room's XEP-0359 stanza-id, archived once; subject changes (§8.1);
// private messages between occupants (§7.5, muc#roomconfig_allowpm).
import { randomUUID } from 'node:crypto';
import type { Routed } from '../../hooks/events.ts';
import { tryParseJid } from '../../jid/index.ts';
import { StanzaError } from '../../stanza/errors.ts';
import { xml, type Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';
import { storeMessage, stripMucUser } from './archive.ts';
import type { MucCtx } from './context.ts';
import { occupantId, setOccupantId } from './occupant-id.ts';
import { groupchatDenial, privateMessageDenial, subjectDenial } from './permissions.ts';
import type { Entry, Room } from './room.ts';
import { NS_MUC_USER } from './xep0045.ts';

/** XEP-0359 §5: nobody else may claim a stanza-id by this room (or this service). */
function stripForgedStanzaIds(m: Element, room: Room): void {
  m.removeChildren((c) => {
    if (!c.is('stanza-id', NS.stanzaId)) return false;
    const by = tryParseJid(c.attrs.by ?? '');
    return by === null || by.domain === room.jid.domain;
  });
}

function senderOf(room: Room, r: Routed): Entry {
  // New MUC: any resource of an account with a bare-JID session speaks as that occupant.
  const entry = room.bySessionJid(r.from) ?? room.bySessionJid(r.from.bare());
  if (!entry?.occupant) throw new StanzaError('not-acceptable', 'You are not in this room');
  return entry;
}

/** The message as every occupant gets it, before 'to' is set. */
function reflect(room: Room, sender: Entry, r: Routed): Element {
  const m = r.stanza.clone();
  delete m.attrs.to;
  m.attrs.from = `${room.jid.toString()}/${sender.occupant!.nick}`;
  m.attrs.xmlns = NS.client;
  stripForgedStanzaIds(m, room);
  stripMucUser(m);
  return setOccupantId(m, room.occupantId(sender.jid));
}

async function fanOut(ctx: MucCtx, room: Room, m: Element): Promise<void> {
  const sends: Promise<void>[] = [];
  for (const { session } of room.sessions()) {
    const copy = m.clone();
    copy.attrs.to = session.jid.toString();
    sends.push(ctx.route(copy));
  }
  await Promise.all(sends);
}

/**
 * A groupchat message to the room, split for the mailbox: checks and the archive write start now;
 * the returned step delivers it. A subject change (subject, no body) also updates the room.
 */
export function prepareGroupchat(ctx: MucCtx, room: Room, r: Routed): Promise<() => Promise<void>> {
  const sender = senderOf(room, r);
  const role = sender.occupant!.role;
  const isSubject = !!r.stanza.getChild('subject') && !r.stanza.getChild('body');
  const denial = isSubject ? subjectDenial(role, room.config) : groupchatDenial(role);
  if (denial) throw new StanzaError(denial.condition, denial.text);
  const m = reflect(room, sender, r);
  if (m.attrs.id === undefined) m.attrs.id = randomUUID();
  let saveSubject: Promise<void> = Promise.resolve();
  if (isSubject) {
    room.subject = { text: r.stanza.getChildText('subject') ?? '', nick: sender.occupant!.nick, stamp: ctx.now(), byJid: sender.jid };
    saveSubject = ctx.rooms.saveSubject(room);
  }
  const stored = storeMessage(ctx, room, m, r.from);
  return Promise.all([stored, saveSubject]).then(([id]) => async () => {
    if (room.destroyed) return;
    m.append(xml('stanza-id', { xmlns: NS.stanzaId, by: room.jid.toString(), id }));
    ctx.metrics.messages();
    await fanOut(ctx, room, m);
  });
}

/** §7.5 private message to room/nick: to every session of the addressee, from the sender's occupant JID. */
export async function privateMessage(ctx: MucCtx, room: Room, r: Routed): Promise<void> {
  const type = r.stanza.attrs.type ?? 'normal';
  if (type === 'groupchat') throw new StanzaError('bad-request', 'Groupchat messages go to the room, not to an occupant');
  const sender = senderOf(room, r);
  const denial = privateMessageDenial(sender.occupant!.role, room.config.allowPm);
  if (denial) throw new StanzaError(denial.condition, denial.text);
  const target = room.byNickname(r.to.resource);
  if (!target?.occupant) throw new StanzaError('item-not-found', 'No occupant with that nickname');
  const m = reflect(room, sender, r);
  // §7.5: the room marks the message as a MUC private message with an empty muc#user <x/>.
  m.append(xml('x', { xmlns: NS_MUC_USER }));
  // Client sessions get it; a New MUC bare-JID session only when no client is in the room (its server stores it).
  const sessions = [...target.occupant.sessions.values()];
  const live = sessions.filter((s) => s.jid.resource);
  await Promise.all((live.length ? live : sessions).map((s) => {
    const copy = m.clone();
    copy.attrs.to = s.jid.toString();
    return ctx.route(copy);
  }));
}
