// Bare-JID occupancy sessions (proto-XEP §Bare JID occupancy sessions): the user's server joins
// the room for the account with an iq-set <join/> from the bare JID; the room sends the subject
// (with the archive summary) to the bare JID, then answers with the nickname it assigned. While
// the session lasts, the bare JID gets a copy of everything the room fans out. <leave/> (Parley's,
// provisional) ends it; so do kick, ban, member removal and a bounced groupchat (new-muc.md §3).
import type { Routed } from '../../../hooks/events.ts';
import { StanzaError } from '../../../stanza/errors.ts';
import { xml, type Element } from '../../../xml/element.ts';
import { broadcastPresence } from '../broadcast.ts';
import type { MucCtx } from '../context.ts';
import { nickKey } from '../nick.ts';
import { defaultRole, entryDenial, roomFull } from '../permissions.ts';
import { onUnavailable } from '../presence.ts';
import type { Entry, Room } from '../room.ts';
import { subjectMessage } from '../subject.ts';
import { STATUS } from '../xep0045.ts';
import { checkedNick, checkVisibility, newMucAvailable } from './inbound.ts';
import { NS_MUC2 } from './ns.ts';
import { parseJoinIq } from './parse.ts';
import type { NewMucState } from './state.ts';

/** Most suffixes tried when the asked-for nick is taken (Nick2 … Nick99). */
const MAX_SUFFIX = 99;

function requireBareSender(r: Routed): void {
  // new-muc.md §3: bare-JID sessions belong to the account and are made by its server only.
  if (r.from.resource) throw new StanzaError('bad-request', 'Bare-JID sessions are joined by your server, from your bare JID');
}

function freeFor(room: Room, nick: string, bare: string): boolean {
  const holder = room.byNickname(nick);
  const reserver = room.reservedBy(nick);
  return (!holder || holder.jid === bare) && (!reserver || reserver.jid === bare);
}

/** new-muc.md §3: a taken nick in an IQ join is reassigned Nick2, Nick3… (the result reports it). */
function assignNick(room: Room, wanted: string, bare: string): string {
  if (freeFor(room, wanted, bare)) return wanted;
  for (let i = 2; i <= MAX_SUFFIX; i++) {
    let candidate: string;
    try {
      candidate = checkedNick(room, `${wanted}${i}`);
    } catch {
      break;
    }
    if (freeFor(room, candidate, bare)) return candidate;
  }
  throw new StanzaError('conflict', 'That nickname and its numbered variants are taken');
}

/** Nick change of an occupant (XEP-0045 §7.6 broadcast: MUC1 gets the 303 pair, the view makes it one presence for New MUC). */
async function renameOccupant(ctx: MucCtx, room: Room, entry: Entry, nick: string): Promise<void> {
  if (ctx.options.nick_lockdown && entry.reservedNick) throw new StanzaError('not-acceptable', 'Nicknames are locked to the reserved nickname in this room');
  await broadcastPresence(ctx, room, entry, { type: 'unavailable', codes: [STATUS.nickChanged], item: { nick, role: entry.occupant!.role } });
  room.changeNick(entry, nick);
  await broadcastPresence(ctx, room, entry);
}

export async function bareJoin(ctx: MucCtx, state: NewMucState, room: Room, r: Routed, payload: Element): Promise<Element> {
  requireBareSender(r);
  if (!newMucAvailable(ctx, room)) throw new StanzaError('feature-not-implemented', 'New MUC is not offered in this room');
  const req = parseJoinIq(payload);
  const bareJid = r.from.bare();
  const bare = bareJid.toString();
  const affiliation = room.affiliationOf(bareJid);
  if (room.locked && affiliation !== 'owner') throw new StanzaError('item-not-found', 'This room is locked until its owner configures it');
  const denial = entryDenial(affiliation, room.config);
  if (denial) throw new StanzaError(denial.condition, denial.text);
  if (room.config.passwordProtected) throw new StanzaError('not-authorized', 'Password-protected rooms take presence joins only');
  const entry = room.entry(bare);
  const occ = entry?.occupant;
  const raw = req.nick ?? occ?.nick ?? entry?.reservedNick;
  if (!raw) throw new StanzaError('jid-malformed', 'Give a nickname (you have no reserved one)');
  let nick = checkedNick(room, raw);
  if (ctx.options.nick_lockdown && entry?.reservedNick) nick = entry.reservedNick;
  checkVisibility(state, room, bare, req.visibility);
  if (occ) {
    // Already an occupant (another session, or a repeated join = nick change, new-muc.md §1).
    if (nickKey(nick) !== nickKey(occ.nick)) await renameOccupant(ctx, room, entry!, assignNick(room, nick, bare));
    if (!occ.sessions.has(bare)) {
      state.add(room, bare, { level: 'none', visibility: state.visibilityOf(room, bare), bare: true });
      room.addSession(bareJid, bareJid, occ.nick, occ.role, xml('presence', {}));
    }
  } else {
    nick = assignNick(room, nick, bare);
    if (roomFull(affiliation, room.occupants, room.config.maxUsers || ctx.options.max_users_limit)) throw new StanzaError('service-unavailable', 'The room is full');
    state.add(room, bare, { level: 'none', visibility: req.visibility, bare: true });
    state.setVisibility(room, bare, req.visibility);
    const joined = room.addSession(bareJid, bareJid, nick, defaultRole(affiliation, room.config), xml('presence', {}));
    await broadcastPresence(ctx, room, joined, { except: new Set([bare]) });
  }
  const subject = subjectMessage(room);
  subject.attrs.to = bare;
  await ctx.route(subject);
  return xml('join', { xmlns: NS_MUC2 }, xml('nickname', {}, room.entry(bare)!.occupant!.nick));
}

export async function bareLeave(ctx: MucCtx, room: Room, r: Routed): Promise<void> {
  requireBareSender(r);
  const entry = room.bySessionJid(r.from);
  if (!entry?.occupant) throw new StanzaError('item-not-found', 'You have no bare-JID session in this room');
  await onUnavailable(ctx, room, r.from, null);
}
