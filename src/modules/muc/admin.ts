// muc#admin (XEP-0045 §8 moderator and §9 admin use cases): role and affiliation lists, and
// changes to them. A set is checked whole before anything changes (muc.md §3: atomic deltas), then
// applied; the affected users' presence goes out before the result, the others' after (§8.2).
// Reserved nicks follow 1.35.4 (§9.5): an item without 'nick' keeps the reservation, nick=''
// removes it, a non-empty nick sets it; outcasts hold none.
import type { Jid } from '../../jid/index.ts';
import { JidError, parseJid } from '../../jid/index.ts';
import { StanzaError } from '../../stanza/errors.ts';
import { xml, type Element } from '../../xml/element.ts';
import { broadcastPresence, presenceToSessions } from './broadcast.ts';
import type { MucCtx } from './context.ts';
import { nickKey, validateNick } from './nick.ts';
import { affiliationChangeDenial, affiliationListDenial, defaultRole, roleChangeDenial, roleListDenial, type Denial } from './permissions.ts';
import type { Entry, Room } from './room.ts';
import { AFFILIATION_POWER, isAffiliation, isRole, type Affiliation, type Role } from './types.ts';
import { NS_MUC_ADMIN, NS_MUC_USER, STATUS } from './xep0045.ts';

export interface Actor {
  bare: Jid;
  entry: Entry | undefined;
  affiliation: Affiliation;
  role: Role;
}

export interface RoleChange {
  kind: 'role';
  entry: Entry;
  role: Role;
  reason?: string;
}

export interface AffiliationChange {
  kind: 'affiliation';
  jid: string;
  affiliation: Affiliation;
  /** undefined: keep the reservation; null: remove it; string: set it. */
  nick: string | null | undefined;
  reason?: string;
}

export type AdminChange = RoleChange | AffiliationChange;

const fail = (d: Denial): never => {
  throw new StanzaError(d.condition, d.text);
};

export function actorOf(room: Room, from: Jid): Actor {
  const bare = from.bare();
  const entry = room.bySessionJid(from);
  return { bare, entry, affiliation: room.affiliationOf(bare), role: entry?.occupant?.role ?? 'none' };
}

/** §17.4 rule 6: affiliations are set on bare JIDs (muc.md §5: a full JID is jid-malformed). */
function affiliationJid(item: Element, room: Room): string {
  const raw = item.attrs.jid;
  if (raw === undefined) {
    // Some clients name the occupant instead (slixmpp set_affiliation(nick=…)).
    const byNick = item.attrs.nick !== undefined ? room.byNickname(item.attrs.nick) : undefined;
    if (byNick?.occupant) return byNick.jid;
    throw new StanzaError('bad-request', 'An affiliation item needs a jid');
  }
  let j: Jid;
  try {
    j = parseJid(raw);
  } catch (e) {
    if (e instanceof JidError) throw new StanzaError('jid-malformed', `Not a valid JID: ${raw}`);
    throw e;
  }
  if (!j.isBare) throw new StanzaError('jid-malformed', 'Affiliations are set on bare JIDs');
  return j.toString();
}

function reservedNickOf(item: Element, room: Room): string | null | undefined {
  const nick = item.attrs.nick;
  if (nick === undefined) return undefined;
  if (nick === '') return null;
  const n = validateNick(nick);
  try {
    room.jid.withResource(n);
  } catch {
    throw new StanzaError('jid-malformed', 'The nickname is not a valid resourcepart');
  }
  return n;
}

/** Check a whole muc#admin set; returns the changes to apply, or throws without changing anything. */
export function planAdminSet(room: Room, actor: Actor, items: Element[]): AdminChange[] {
  if (items.length === 0) throw new StanzaError('bad-request', 'No items');
  const changes: AdminChange[] = [];
  const claimed = new Map<string, string>(); // nick key → bare JID claiming it in this set
  for (const item of items) {
    const role = item.attrs.role;
    const affiliation = item.attrs.affiliation;
    // §17.4 rule 4: an item changes a role or an affiliation, never both.
    if (role !== undefined && affiliation !== undefined) throw new StanzaError('bad-request', 'An item may set a role or an affiliation, not both');
    const reason = item.getChildText('reason') ?? undefined;
    if (role !== undefined) {
      if (!isRole(role)) throw new StanzaError('bad-request', `Unknown role ${role}`);
      const nick = item.attrs.nick;
      if (nick === undefined) throw new StanzaError('bad-request', 'A role item needs a nick');
      const target = room.byNickname(nick);
      if (!target?.occupant) throw new StanzaError('item-not-found', `No occupant with nickname ${nick}`);
      const self = actor.entry === target;
      const d = roleChangeDenial({ affiliation: actor.affiliation, role: actor.role, self }, { affiliation: target.affiliation, role: target.occupant.role }, role);
      if (d) fail(d);
      changes.push({ kind: 'role', entry: target, role, reason });
      continue;
    }
    if (affiliation === undefined) throw new StanzaError('bad-request', 'An item needs a role or an affiliation');
    if (!isAffiliation(affiliation)) throw new StanzaError('bad-request', `Unknown affiliation ${affiliation}`);
    const jid = affiliationJid(item, room);
    const current = room.entry(jid)?.affiliation ?? 'none';
    const d = affiliationChangeDenial({ affiliation: actor.affiliation, self: jid === actor.bare.toString() }, current, affiliation);
    if (d) fail(d);
    // muc.md §3: outcasts never hold a reserved nick; a nick on an outcast item is ignored.
    // Removing an affiliation removes the reservation with it; an item naming the occupant by nick reserves nothing.
    const nick = affiliation === 'outcast' || affiliation === 'none' ? null : item.attrs.jid === undefined ? undefined : reservedNickOf(item, room);
    if (typeof nick === 'string') {
      const key = nickKey(nick);
      const reserver = room.reservedBy(nick);
      const holder = room.byNickname(nick);
      if ((reserver && reserver.jid !== jid) || (holder && holder.jid !== jid) || (claimed.has(key) && claimed.get(key) !== jid)) {
        throw new StanzaError('conflict', `The nickname ${nick} is reserved by or in use by someone else`);
      }
      claimed.set(key, jid);
    }
    changes.push({ kind: 'affiliation', jid, affiliation, nick, reason });
  }
  // §10.5/§10.6: the room keeps at least one owner (muc.md §4 check 9: sole owner stepping down → conflict).
  const owners = new Set(room.withAffiliation(['owner']).map((e) => e.jid));
  for (const c of changes) if (c.kind === 'affiliation') c.affiliation === 'owner' ? owners.add(c.jid) : owners.delete(c.jid);
  if (owners.size === 0) throw new StanzaError('conflict', 'The room must keep at least one owner');
  return changes;
}

/** Apply checked changes; returns the broadcasts to run after the iq result (§8.2 order). */
export async function applyAdminChanges(ctx: MucCtx, room: Room, actor: Actor, changes: AdminChange[]): Promise<Array<() => Promise<void>>> {
  const after: Array<() => Promise<void>> = [];
  const actorNick = actor.entry?.occupant?.nick;
  const touched: string[] = [];
  for (const c of changes) {
    if (c.kind === 'role') {
      const e = c.entry;
      if (!e.occupant) continue;
      if (c.role === 'none') {
        after.push(await removeOccupant(ctx, room, e, [STATUS.kicked], actorNick, c.reason));
        continue;
      }
      e.occupant.role = c.role;
      after.push(() => broadcastPresence(ctx, room, e, { item: { reason: c.reason, actor: actorNick } }));
      continue;
    }
    const before = room.entry(c.jid);
    const previous = before?.affiliation ?? 'none';
    const entry = room.setAffiliation(c.jid, c.affiliation, c.nick);
    touched.push(c.jid);
    if (!entry?.occupant) {
      if (room.config.membersOnly && c.affiliation === 'member' && previous === 'none') after.push(() => inviteNewMember(ctx, room, c.jid, actor));
      continue;
    }
    if (c.affiliation === 'outcast') after.push(await removeOccupant(ctx, room, entry, [STATUS.banned], actorNick, c.reason));
    else if (room.config.membersOnly && AFFILIATION_POWER[c.affiliation] < AFFILIATION_POWER.member) {
      // §9.4: removed from the member list of a members-only room → removed with 321 (one presence only).
      after.push(await removeOccupant(ctx, room, entry, [STATUS.affiliationChanged], actorNick, c.reason));
    } else {
      const role = roleAfterAffiliationChange(entry.occupant.role, previous, c.affiliation, room);
      entry.occupant.role = role;
      after.push(() => broadcastPresence(ctx, room, entry, { item: { reason: c.reason, actor: actorNick } }));
    }
  }
  if (touched.length) await ctx.rooms.saveAffiliations(room, touched);
  return after;
}

/** §5.1.3 note: gaining admin/owner makes a moderator; losing it falls back to the default role. */
export function roleAfterAffiliationChange(current: Role, previous: Affiliation, next: Affiliation, room: Room): Role {
  const nextDefault = defaultRole(next, room.config);
  if (nextDefault === 'moderator') return 'moderator';
  if ((previous === 'owner' || previous === 'admin') && current === 'moderator') return nextDefault === 'none' ? 'participant' : nextDefault;
  return current;
}

/**
 * End an occupancy because of a kick (307), ban (301) or affiliation change (321/322): the
 * removed sessions get their unavailable self-presence now; the returned step tells the others.
 */
export async function removeOccupant(ctx: MucCtx, room: Room, e: Entry, codes: number[], actor?: string, reason?: string): Promise<() => Promise<void>> {
  const occ = e.occupant!;
  const nick = occ.nick;
  const sessions = [...occ.sessions.keys()];
  const base = room.dominant(occ).presence;
  room.endOccupancy(e);
  const leave = { type: 'unavailable' as const, nick, base, codes, item: { role: 'none' as const, actor, reason } };
  await presenceToSessions(ctx, room, e, sessions, leave);
  return async () => {
    await broadcastPresence(ctx, room, e, leave);
    if (room.isEmpty() && !room.config.persistent) await ctx.rooms.remove(room);
  };
}

/** §9.5: a user added to the member list of a members-only room SHOULD be invited. */
async function inviteNewMember(ctx: MucCtx, room: Room, jid: string, actor: Actor): Promise<void> {
  if (!jid.includes('@')) return;
  await ctx.route(xml('message', { from: room.jid.toString(), to: jid },
    xml('x', { xmlns: NS_MUC_USER }, xml('invite', { from: actor.bare.toString() }), room.config.passwordProtected ? xml('password', {}, room.config.password) : undefined)));
}

/** muc#admin get: one list by role or by affiliation(s), in (rank, seq) order (gc3-participants.md). */
export function adminList(room: Room, actor: Actor, items: Element[]): Element {
  if (items.length === 0) throw new StanzaError('bad-request', 'Name the list with an item');
  const roles = items.map((i) => i.attrs.role);
  const affs = items.map((i) => i.attrs.affiliation);
  const q = xml('query', { xmlns: NS_MUC_ADMIN });
  if (roles.every((r) => r !== undefined) && affs.every((a) => a === undefined)) {
    for (const r of roles) {
      if (!isRole(r)) throw new StanzaError('bad-request', `Unknown role ${r}`);
      const d = roleListDenial(actor, r);
      if (d) fail(d);
    }
    // §17.4 rule 5: role results carry nick, role, affiliation and the full JID.
    for (const e of room.occupantEntries()) {
      if (!roles.includes(e.occupant!.role)) continue;
      q.append(xml('item', { affiliation: e.affiliation, jid: room.dominant(e.occupant!).jid.toString(), nick: e.occupant!.nick, role: e.occupant!.role }));
    }
    return q;
  }
  if (affs.every((a) => a !== undefined) && roles.every((r) => r === undefined)) {
    for (const a of affs) {
      if (!isAffiliation(a)) throw new StanzaError('bad-request', `Unknown affiliation ${a}`);
      if (a === 'none') throw new StanzaError('bad-request', 'There is no list of affiliation none');
      const d = affiliationListDenial(actor, a, room.config);
      if (d) fail(d);
    }
    // §17.4 rule 6: affiliation results carry affiliation, bare jid and the reserved nick (not for outcasts), never a role.
    for (const e of room.withAffiliation(affs as Affiliation[])) {
      q.append(xml('item', { affiliation: e.affiliation, jid: e.jid, nick: e.affiliation === 'outcast' ? undefined : (e.reservedNick ?? undefined) }));
    }
    return q;
  }
  throw new StanzaError('bad-request', 'Ask for a list of one kind: roles or affiliations');
}
