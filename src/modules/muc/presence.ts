// Presence to an occupant JID (XEP-0045 §7.2 entering, §7.6 nick change, §7.7 status change,
// §7.14 exit, §17.3 business rules), and the join sequence (§7.2.1 order of events): presence of
// every occupant in (rank, seq) order, then self-presence, then history, then the subject.
import type { Routed } from '../../hooks/events.ts';
import { JidError, type Jid } from '../../jid/index.ts';
import { StanzaError } from '../../stanza/errors.ts';
import type { Element } from '../../xml/element.ts';
import { historyFor } from './archive.ts';
import { broadcastPresence, buildOccupantPresence, presenceToSessions } from './broadcast.ts';
import type { MucCtx } from './context.ts';
import { parseHistoryRequest, type HistoryRequest } from './history.ts';
import { nickKey, validateNick } from './nick.ts';
import { canSeeRealJids, defaultRole, entryDenial, roomFull } from './permissions.ts';
import type { Entry, Room } from './room.ts';
import { subjectMessage } from './subject.ts';
import { NS_MUC, presencePayload, STATUS } from './xep0045.ts';

/** Presence error conditions that mean the occupant is gone (§17.2.2 ghost users); service-unavailable is what Parley's router answers for a vanished resource. */
const GONE = new Set(['gone', 'item-not-found', 'recipient-unavailable', 'redirect', 'remote-server-not-found', 'remote-server-timeout', 'service-unavailable']);

export function isDeliveryFailure(stanza: Element): boolean {
  const err = stanza.getChild('error');
  return !!err && err.getChildElements().some((c) => GONE.has(c.localName));
}

/** The nick in an occupant JID, validated (muc.md §5), and checked to be a valid resourcepart again. */
export function requestedNick(room: Room, to: Jid): string {
  const nick = validateNick(to.resource);
  try {
    room.jid.withResource(nick);
  } catch (e) {
    if (e instanceof JidError) throw new StanzaError('jid-malformed', 'The nickname is not a valid resourcepart');
    throw e;
  }
  return nick;
}

/** Everything a joining (or resynchronising) session gets after the other occupants' presence. */
async function joinSequence(ctx: MucCtx, room: Room, entry: Entry, session: string, selfCodes: number[], history: HistoryRequest, broadcast: boolean, receipt: Element | null = null): Promise<void> {
  const see = canSeeRealJids(entry.occupant!.role, room.config);
  // §7.2.3: every other occupant first, so the client knows when the roster is complete.
  for (const other of room.occupantEntries()) {
    if (other === entry) continue;
    await ctx.route(buildOccupantPresence(room, other, session, false, see, {}));
  }
  const self = buildOccupantPresence(room, entry, session, true, true, { selfCodes });
  if (receipt) self.append(receipt);
  await ctx.route(self);
  if (broadcast) await broadcastPresence(ctx, room, entry, { except: new Set([session]) });
  for (const m of await historyFor(ctx, room, history, see)) {
    m.attrs.to = session;
    await ctx.route(m);
  }
  const subject = subjectMessage(room);
  subject.attrs.to = session;
  await ctx.route(subject);
}

function selfJoinCodes(room: Room, extra: number[]): number[] {
  const codes = [...extra];
  if (room.config.whois === 'anyone') codes.push(STATUS.nonAnonymous);
  if (room.config.archive) codes.push(STATUS.loggingOn);
  return codes;
}

/** Available presence to room/nick. `created`: this presence just created the room (§10.1.1, 201). */
export async function onAvailable(ctx: MucCtx, room: Room, r: Routed, created: boolean): Promise<void> {
  const from = r.from;
  const x = r.stanza.getChild('x', NS_MUC);
  const existing = room.bySessionJid(from);
  let nick = requestedNick(room, r.to);
  if (existing?.occupant) {
    if (nick === existing.occupant.nick) return updatePresence(ctx, room, existing, r, !!x);
    return changeNick(ctx, room, existing, r, nick);
  }
  const bare = from.bare();
  const affiliation = room.affiliationOf(bare);
  // §10.1.1: nobody but an owner enters a room that is still being configured.
  if (room.locked && affiliation !== 'owner') throw new StanzaError('item-not-found', 'This room is locked until its owner configures it');
  const denial = entryDenial(affiliation, room.config);
  if (denial) throw new StanzaError(denial.condition, denial.text);
  const entry = room.entry(bare.toString());
  const codes: number[] = created ? [STATUS.created] : [];
  if (entry?.occupant) {
    // Multi-session nick (muc.md §3): another resource of an occupant joins under the same nick.
    if (nickKey(nick) !== nickKey(entry.occupant.nick)) throw new StanzaError('conflict', `You are already in this room as ${entry.occupant.nick}; one nick per account`);
    nick = entry.occupant.nick;
  } else {
    if (ctx.options.nick_lockdown && entry?.reservedNick && nickKey(entry.reservedNick) !== nickKey(nick)) {
      // §17.2.1 item 10 and §7.2.3: locked-down nicks are rewritten, with 210.
      nick = entry.reservedNick;
      codes.push(STATUS.nickModified);
    }
    const holder = room.byNickname(nick);
    if (holder && holder.jid !== bare.toString()) throw new StanzaError('conflict', 'That nickname is in use');
    const reserver = room.reservedBy(nick);
    if (reserver && reserver.jid !== bare.toString()) throw new StanzaError('conflict', 'That nickname is reserved by another user');
  }
  if (room.config.passwordProtected) {
    const given = x?.getChildText('password');
    if (given !== room.config.password) throw new StanzaError('not-authorized', 'A password is required to enter this room');
  }
  if (!entry?.occupant && roomFull(affiliation, room.occupants, room.config.maxUsers || ctx.options.max_users_limit)) throw new StanzaError('service-unavailable', 'The room is full');
  // Payment Required (docs/payment.md): a paid room declines with an invoice; a redeemed session's receipt goes in the self-presence.
  const receipt = ctx.paymentGate ? await ctx.paymentGate(room.jid, from, affiliation, r.stanza.getChild('payment', 'urn:xmpp:payment:0')) : null;
  const role = entry?.occupant?.role ?? defaultRole(affiliation, room.config);
  const joined = room.addSession(bare, from, nick, role, presencePayload(r.stanza));
  await joinSequence(ctx, room, joined, from.toString(), selfJoinCodes(room, codes), parseHistoryRequest(x), true, receipt);
}

/** §7.7 status change, or §17.3 rule 3: a join from an already-joined session is a resync. */
async function updatePresence(ctx: MucCtx, room: Room, entry: Entry, r: Routed, resync: boolean): Promise<void> {
  const session = r.from.toString();
  const payload = presencePayload(r.stanza);
  const before = room.dominant(entry.occupant!).presence.toString();
  room.updatePresence(r.from, payload);
  const changed = payload.toString() !== before;
  if (resync) {
    await joinSequence(ctx, room, entry, session, selfJoinCodes(room, []), parseHistoryRequest(r.stanza.getChild('x', NS_MUC)), false);
    if (changed) await broadcastPresence(ctx, room, entry, { except: new Set([session]) });
    return;
  }
  await broadcastPresence(ctx, room, entry);
}

/** §7.6: unavailable with 303 and the new nick, then available under the new nick. */
async function changeNick(ctx: MucCtx, room: Room, entry: Entry, r: Routed, nick: string): Promise<void> {
  const bare = entry.jid;
  if (ctx.options.nick_lockdown && entry.reservedNick) throw new StanzaError('not-acceptable', 'Nicknames are locked to the reserved nickname in this room');
  const holder = room.byNickname(nick);
  if (holder && holder !== entry) throw new StanzaError('conflict', 'That nickname is in use');
  const reserver = room.reservedBy(nick);
  if (reserver && reserver.jid !== bare) throw new StanzaError('conflict', 'That nickname is reserved by another user');
  await broadcastPresence(ctx, room, entry, { type: 'unavailable', codes: [STATUS.nickChanged], item: { nick, role: entry.occupant!.role } });
  room.changeNick(entry, nick);
  room.updatePresence(r.from, presencePayload(r.stanza));
  await broadcastPresence(ctx, room, entry);
}

/**
 * §7.14 exit (or a session gone: codes 333 for a delivery failure). The leaving session gets its
 * unavailable self-presence; the others see the occupant leave, or — when other sessions of a
 * multi-session occupant stay — its presence as it now is.
 */
export async function onUnavailable(ctx: MucCtx, room: Room, from: Jid, stanza: Element | null, codes: number[] = []): Promise<void> {
  const entry = room.bySessionJid(from);
  if (!entry?.occupant) return; // §17.3 rule 5: role none → ignore
  const nick = entry.occupant.nick;
  const base = stanza ? presencePayload(stanza) : undefined;
  const removed = room.removeSession(from)!;
  const leave = { type: 'unavailable' as const, nick, base, codes, item: { role: 'none' as const } };
  await presenceToSessions(ctx, room, entry, [from.toString()], leave);
  if (removed.occupantGone) await broadcastPresence(ctx, room, entry, leave);
  else await broadcastPresence(ctx, room, entry);
}
