// XEP-0425 moderated message retraction: a moderator asks the room to retract an occupant's
// message (by the room's stanza-id). The room keeps a tombstone in place of the archived message
// and broadcasts the retraction. Both wire versions are understood and sent: 0.3
// (urn:xmpp:message-moderate:1 inside XEP-0424 retract:1) and 0.2 (XEP-0422 fastening,
// moderate:0), so older and newer clients both apply it.
import { randomUUID } from 'node:crypto';
import { StanzaError } from '../../stanza/errors.ts';
import { xml, type Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';
import { parseElement } from '../../xml/parse-element.ts';
import type { Actor } from './admin.ts';
import { findStored, storeMessage } from './archive.ts';
import type { MucCtx } from './context.ts';
import { NS_OCCUPANT_ID, occupantId } from './occupant-id.ts';
import type { Room } from './room.ts';
import { NS_MUC_USER } from './xep0045.ts';

export const NS_MODERATE_1 = 'urn:xmpp:message-moderate:1';
export const NS_MODERATE_0 = 'urn:xmpp:message-moderate:0';
export const NS_RETRACT_1 = 'urn:xmpp:message-retract:1';
export const NS_RETRACT_0 = 'urn:xmpp:message-retract:0';
export const NS_FASTEN = 'urn:xmpp:fasten:0';

export interface ModerationRequest {
  id: string;
  reason?: string;
}

/** The request in an iq payload (<moderate/> 0.3, or <apply-to/> with <moderate/> 0.2), or null. */
export function parseModeration(payload: Element): ModerationRequest | null {
  if (payload.is('moderate', NS_MODERATE_1) && payload.getChild('retract', NS_RETRACT_1)) {
    const id = payload.attrs.id;
    if (!id) throw new StanzaError('bad-request', 'The moderation request needs the id of the message');
    return { id, reason: payload.getChildText('reason') ?? undefined };
  }
  if (payload.is('apply-to', NS_FASTEN)) {
    const m = payload.getChild('moderate', NS_MODERATE_0);
    if (!m?.getChild('retract', NS_RETRACT_0)) return null;
    const id = payload.attrs.id;
    if (!id) throw new StanzaError('bad-request', 'The moderation request needs the id of the message');
    return { id, reason: m.getChildText('reason') ?? undefined };
  }
  return null;
}

function moderatedBy(by: string, modId: string, ns: string): Element {
  const el = xml('moderated', { xmlns: ns, by });
  if (ns === NS_MODERATE_1) el.append(xml('occupant-id', { xmlns: NS_OCCUPANT_ID, id: modId }));
  return el;
}

/** The archived message with its content replaced: who sent it and when stay, the text goes. */
export function tombstone(original: Element, by: string, modId: string, reason: string | undefined, stamp: string): Element {
  const t = xml('message', {});
  for (const [k, v] of Object.entries(original.attrs)) t.attrs[k] = v;
  for (const c of original.getChildElements()) if (c.is('occupant-id', NS_OCCUPANT_ID) || c.is('x', NS_MUC_USER)) t.append(c.clone());
  const r = reason !== undefined ? () => xml('reason', {}, reason) : () => undefined;
  t.append(xml('retracted', { xmlns: NS_RETRACT_1, stamp }, moderatedBy(by, modId, NS_MODERATE_1), r()));
  t.append(xml('moderated', { xmlns: NS_MODERATE_0, by }, xml('retracted', { xmlns: NS_RETRACT_0, stamp }), r()));
  return t;
}

/** Run a moderation request: forbidden unless a moderator, item-not-found for an unknown id. */
export async function moderate(ctx: MucCtx, room: Room, actor: Actor, req: ModerationRequest): Promise<void> {
  if (actor.role !== 'moderator' || !actor.entry?.occupant) throw new StanzaError('forbidden', 'Only moderators may retract messages');
  const stored = await findStored(ctx, room, req.id);
  const original = stored ? parseElement(stored.stanza) : null;
  if (!original || original.attrs.type !== 'groupchat' || !original.getChild('body')) throw new StanzaError('item-not-found', 'No message with that id in this room');
  const by = `${room.jid.toString()}/${actor.entry.occupant.nick}`;
  const modId = room.occupantId(actor.bare.toString());
  const stamp = new Date(ctx.now()).toISOString();
  await ctx.store.putTombstone(room.jid.toString(), req.id, tombstone(original, by, modId, req.reason, stamp).toString());
  const r = req.reason !== undefined ? () => xml('reason', {}, req.reason) : () => undefined;
  const m = xml('message', { xmlns: NS.client, type: 'groupchat', from: room.jid.toString(), id: randomUUID() },
    xml('retract', { xmlns: NS_RETRACT_1, id: req.id }, moderatedBy(by, modId, NS_MODERATE_1), r()),
    xml('apply-to', { xmlns: NS_FASTEN, id: req.id }, xml('moderated', { xmlns: NS_MODERATE_0, by }, xml('retract', { xmlns: NS_RETRACT_0 }), r())),
    xml('store', { xmlns: NS.hints }));
  const sid = await storeMessage(ctx, room, m, actor.entry.occupant ? room.dominant(actor.entry.occupant).jid : actor.bare);
  m.append(xml('stanza-id', { xmlns: NS.stanzaId, by: room.jid.toString(), id: sid }));
  await Promise.all([...room.sessions()].map(({ session }) => {
    const copy = m.clone();
    copy.attrs.to = session.jid.toString();
    return ctx.route(copy);
  }));
}
