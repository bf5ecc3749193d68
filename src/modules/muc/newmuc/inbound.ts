// Stanzas to the room from New MUC clients, mapped onto the room's (XEP-0045) handlers:
//   - presence join to the bare room JID with <muc2/> (proto-XEP §Joining via Presence);
//   - presence from a New MUC session to the bare room JID: status update, leave, or — with a
//     top-level <nickname xmlns='urn:xmpp:muc:0'/> — a nick change (new-muc.md §1, provisional);
//   - anything to room/-<occupant-id>: the occupant with that id (new-muc.md §5: unknown → item-not-found).
// Returns the Routed to hand to the XEP-0045 code (to = room/nick), or null when nothing is left to do.
import type { Routed } from '../../../hooks/events.ts';
import { StanzaError } from '../../../stanza/errors.ts';
import type { Element } from '../../../xml/element.ts';
import type { MucCtx } from '../context.ts';
import { validateNick } from '../nick.ts';
import { onAvailable } from '../presence.ts';
import type { Room } from '../room.ts';
import { NS_MUC } from '../xep0045.ts';
import { NS_MUC2, OCCUPANT_ADDRESS, type Visibility } from './ns.ts';
import { muc2Element, nicknameOf, parseMuc2Join } from './parse.ts';
import type { NewMucState } from './state.ts';

/** Whether New MUC can be offered in this room (new-muc.md §1: MAM is mandatory). */
export function newMucAvailable(ctx: MucCtx, room: Room): boolean {
  return ctx.options.new_muc !== false && room.config.archive;
}

/** Visibility rules (new-muc.md §3): anonymous never half-honoured, never mixed within one occupant. */
export function checkVisibility(state: NewMucState, room: Room, bare: string, requested: Visibility): void {
  if (requested === 'anonymous' && room.config.whois === 'anyone') throw new StanzaError('not-acceptable', 'This room is non-anonymous; it cannot hide your address');
  const entry = room.entry(bare);
  if (!entry?.occupant) return;
  const current = state.visibilityOf(room, bare);
  if ((current === 'anonymous') !== (requested === 'anonymous')) throw new StanzaError('conflict', 'Your other sessions in this room joined with a different visibility');
}

/** A nick given in a New MUC request, validated like a MUC1 nick (and as a resourcepart). */
export function checkedNick(room: Room, raw: string): string {
  const nick = validateNick(raw);
  try {
    room.jid.withResource(nick);
  } catch {
    throw new StanzaError('jid-malformed', 'The nickname is not a valid resourcepart');
  }
  return nick;
}

/** Resolve room/-<id> to room/<nick>; unknown ids → item-not-found (presence: dropped). */
function resolveAddress(state: NewMucState, room: Room, r: Routed): Routed | null {
  const res = r.to.resource;
  if (!res || !OCCUPANT_ADDRESS.test(res)) return r;
  const entry = state.entryById(room, res.slice(1));
  if (!entry?.occupant) {
    if (r.stanza.name === 'presence') return null;
    throw new StanzaError('item-not-found', 'No occupant with that address');
  }
  return { ...r, to: room.jid.withResource(entry.occupant.nick) };
}

const stripNickname = (p: Element) => p.removeChildren((c) => c.is('nickname', NS_MUC2));

export async function inboundPresence(ctx: MucCtx, state: NewMucState, room: Room, r: Routed, created = false): Promise<Routed | null> {
  const p = r.stanza;
  const type = p.attrs.type;
  const muc2 = muc2Element(p);
  const own = room.bySessionJid(r.from);
  if (muc2 && type === undefined) {
    if (!newMucAvailable(ctx, room)) throw new StanzaError('feature-not-implemented', 'New MUC is not offered in this room');
    const req = parseMuc2Join(muc2);
    const bare = r.from.bare().toString();
    const entry = room.entry(bare);
    const raw = req.nick ?? (r.to.resource || entry?.occupant?.nick || entry?.reservedNick);
    if (!raw) throw new StanzaError('jid-malformed', 'Give a nickname (you have no reserved one)');
    const nick = checkedNick(room, raw);
    checkVisibility(state, room, bare, req.visibility);
    const key = r.from.toString();
    const previous = own?.occupant ? state.get(room, key) : undefined;
    state.add(room, key, { level: req.level, visibility: req.visibility, bare: false });
    const hadOccupancy = !!entry?.occupant;
    // Before the join's broadcasts, which the view shapes by it.
    if (!hadOccupancy) state.setVisibility(room, bare, req.visibility);
    stripNickname(p);
    try {
      await onAvailable(ctx, room, { ...r, to: room.jid.withResource(nick) }, created);
    } catch (e) {
      if (previous) state.add(room, key, previous);
      else state.forget(room, key);
      throw e;
    }
    return null;
  }
  const rec = own?.occupant ? state.get(room, r.from.toString()) : undefined;
  if (!r.to.resource && rec && own?.occupant) {
    // A New MUC session talks to the bare room JID: status update, leave, or nick change.
    const wanted = type === undefined ? nicknameOf(p) : null;
    stripNickname(p);
    return { ...r, to: room.jid.withResource(wanted === null ? own.occupant.nick : checkedNick(room, wanted)) };
  }
  // new-muc.md §5: a client-forged <nickname/> is never reflected.
  stripNickname(p);
  // A join to room/-<id> is a MUC1 nick shaped like an address: the XEP-0045 path refuses it (not-acceptable).
  const resolved = own?.occupant ? resolveAddress(state, room, r) : r;
  if (!resolved) return null;
  // A MUC1 join: the room's visibility applies, and it must not mix with an anonymous occupancy.
  if (type === undefined && p.getChild('x', NS_MUC) && !own?.occupant) {
    const bare = r.from.bare().toString();
    checkVisibility(state, room, bare, 'room');
    if (!room.entry(bare)?.occupant) state.setVisibility(room, bare, 'room');
  }
  return resolved;
}

/** Message or iq to an occupant address. */
export function inboundAddressed(state: NewMucState, room: Room, r: Routed): Routed | null {
  return resolveAddress(state, room, r);
}
