// The XEP-0045 permission matrix as pure functions (§5.1.1 role privileges, §5.2.1 affiliation
// privileges, §8 and §9 rules on who may change whose role or affiliation). Each check returns
// null when allowed, or the StanzaError condition and text to answer with. No room state here:
// callers pass the facts, so the matrix is testable on its own and shared by every protocol.
import type { StanzaErrorCondition } from '../../stanza/errors.ts';
import { AFFILIATION_POWER, type Affiliation, type AllowPm, type Role, type RoomConfig } from './types.ts';

export interface Denial {
  condition: StanzaErrorCondition;
  text: string;
}

const deny = (condition: StanzaErrorCondition, text: string): Denial => ({ condition, text });

const isAdminOrOwner = (a: Affiliation) => a === 'owner' || a === 'admin';

/** §5.1.2 initial role by affiliation and room type; 'none' means entry is not permitted. */
export function defaultRole(affiliation: Affiliation, config: Pick<RoomConfig, 'moderated' | 'membersOnly'>): Role {
  if (affiliation === 'owner' || affiliation === 'admin') return 'moderator';
  if (affiliation === 'member') return 'participant';
  if (affiliation === 'outcast') return 'none';
  if (config.membersOnly) return 'none';
  return config.moderated ? 'visitor' : 'participant';
}

/** §7.2.7 banned → forbidden; §7.2.6 members-only → registration-required. */
export function entryDenial(affiliation: Affiliation, config: Pick<RoomConfig, 'membersOnly'>): Denial | null {
  if (affiliation === 'outcast') return deny('forbidden', 'You are banned from this room');
  if (config.membersOnly && AFFILIATION_POWER[affiliation] < AFFILIATION_POWER.member) return deny('registration-required', 'This room is members-only');
  return null;
}

/** §7.4: role none may not send (not-acceptable: not an occupant); visitors have no voice (forbidden). */
export function groupchatDenial(role: Role): Denial | null {
  if (role === 'none') return deny('not-acceptable', 'Only occupants may send messages to the room');
  if (role === 'visitor') return deny('forbidden', 'Visitors may not speak in this room');
  return null;
}

/** §8.1: moderators always; participants when muc#roomconfig_changesubject allows; visitors never. */
export function subjectDenial(role: Role, config: Pick<RoomConfig, 'changeSubject'>): Denial | null {
  if (role === 'moderator') return null;
  if (role === 'participant' && config.changeSubject) return null;
  return deny('forbidden', 'You may not change the subject of this room');
}

/** §7.5 and muc#roomconfig_allowpm: which roles may send private messages. */
export function privateMessageDenial(role: Role, allowPm: AllowPm): Denial | null {
  if (role === 'none') return deny('not-acceptable', 'Only occupants may send private messages');
  const ok = allowPm === 'anyone' || (allowPm === 'participants' && role !== 'visitor') || (allowPm === 'moderators' && role === 'moderator');
  return ok ? null : deny('forbidden', 'Private messages are not allowed for your role in this room');
}

/**
 * §7.8.2 mediated invitations. Members-only rooms: owners and admins always; members only when
 * muc#roomconfig_allowinvites is set (1.35.3); others forbidden. Open rooms: any occupant (§5.1.1
 * table, "Invite Other Users"), and owners/admins even when absent.
 */
export function inviteDenial(affiliation: Affiliation, role: Role, config: Pick<RoomConfig, 'membersOnly' | 'allowInvites'>): Denial | null {
  if (isAdminOrOwner(affiliation)) return null;
  if (config.membersOnly) {
    if (affiliation === 'member' && config.allowInvites) return null;
    return deny('forbidden', 'Only admins may invite to this members-only room');
  }
  return role === 'none' ? deny('forbidden', 'Only occupants may invite') : null;
}

/** Whether an invitation by this inviter adds the invitee to the member list (§9.5: members-only rooms only). */
export function inviteGrantsMembership(config: Pick<RoomConfig, 'membersOnly'>): boolean {
  return config.membersOnly;
}

export interface RoleActor {
  affiliation: Affiliation;
  role: Role;
  self: boolean;
}

/**
 * §8.2-§8.5 (kick, voice) and §9.6-§9.8 (moderator status): may `actor` set `target`'s role to
 * `newRole`? Owners and admins keep their voice and moderator status (§8.4, §9.7); a user is never
 * kicked by a moderator of lower affiliation (§8.2); a moderator is only removed or demoted by an
 * admin or owner (§5.1.3 role chart); granting or revoking moderator status is for admins and owners.
 */
export function roleChangeDenial(actor: RoleActor, target: { affiliation: Affiliation; role: Role }, newRole: Role): Denial | null {
  if (actor.role !== 'moderator') return deny('forbidden', 'Only moderators may change roles');
  if (newRole === target.role) return null;
  const actorAdmin = isAdminOrOwner(actor.affiliation);
  if (newRole === 'none') {
    if (actor.self) return deny('conflict', 'You cannot kick yourself');
    if (AFFILIATION_POWER[target.affiliation] > AFFILIATION_POWER[actor.affiliation]) return deny('not-allowed', 'You cannot kick a user with a higher affiliation');
    if (target.role === 'moderator' && !actorAdmin) return deny('not-allowed', 'Only admins and owners may kick a moderator');
    return null;
  }
  if (newRole === 'moderator' || target.role === 'moderator') {
    if (!actorAdmin) return deny('forbidden', 'Only admins and owners may grant or revoke moderator status');
    if (target.role === 'moderator' && isAdminOrOwner(target.affiliation)) return deny('not-allowed', 'Admins and owners keep their moderator status');
    return null;
  }
  if (newRole === 'visitor') {
    if (isAdminOrOwner(target.affiliation)) return deny('not-allowed', 'Admins and owners keep their voice');
    if (AFFILIATION_POWER[target.affiliation] > AFFILIATION_POWER[actor.affiliation]) return deny('not-allowed', 'You cannot revoke voice from a user with a higher affiliation');
  }
  return null;
}

/**
 * §9 and §10 affiliation changes by `actor` (an admin edits the member and ban lists only; owners
 * everything). Conditions follow muc.md §3: a non-owner touching the owner or admin list, or an
 * outsider, is forbidden; an admin acting on an owner or admin is not-allowed (§9.1); banning
 * oneself is a conflict (§9.1). The "last owner" rule is checked on the whole set by the caller.
 */
export function affiliationChangeDenial(actor: { affiliation: Affiliation; self: boolean }, current: Affiliation, next: Affiliation): Denial | null {
  if (!isAdminOrOwner(actor.affiliation)) return deny('forbidden', 'Only admins and owners may change affiliations');
  if (next === 'outcast' && actor.self) return deny('conflict', 'You cannot ban yourself');
  if (actor.affiliation === 'owner') return null;
  if (next === 'owner' || next === 'admin') return deny('forbidden', 'Only owners may edit the owner and admin lists');
  if (isAdminOrOwner(current)) return deny('not-allowed', 'Only owners may change the affiliation of an owner or admin');
  return null;
}

/**
 * Who may read which affiliation list (muc.md §3, XEP-0045 1.35.0): the ban list admins and
 * owners only; in non-anonymous rooms any occupant may read the owner and admin lists and members
 * and occupants the member list; in semi-anonymous rooms only admins and owners.
 */
export function affiliationListDenial(requester: { affiliation: Affiliation; role: Role }, list: Affiliation, config: Pick<RoomConfig, 'whois'>): Denial | null {
  if (isAdminOrOwner(requester.affiliation)) return null;
  if (list === 'outcast' || list === 'none') return deny('forbidden', 'Only admins and owners may see this list');
  if (config.whois !== 'anyone') return deny('forbidden', 'Affiliation lists of a semi-anonymous room are for admins and owners');
  if (list === 'member' && (requester.affiliation === 'member' || requester.role !== 'none')) return null;
  if ((list === 'owner' || list === 'admin') && requester.role !== 'none') return null;
  return deny('forbidden', 'You may not see this list');
}

/** §8.5 voice list (participants, visitors) for moderators; §9.8 moderator list for admins and owners. */
export function roleListDenial(requester: { affiliation: Affiliation; role: Role }, list: Role): Denial | null {
  if (list === 'moderator') return isAdminOrOwner(requester.affiliation) ? null : deny('forbidden', 'Only admins and owners may see the moderator list');
  if (list === 'none') return deny('bad-request', 'There is no list of role none');
  return requester.role === 'moderator' ? null : deny('forbidden', 'Only moderators may see this list');
}

/** §6.4 semi-anonymous rooms show real JIDs to moderators only; non-anonymous rooms to everyone. */
export function canSeeRealJids(viewerRole: Role, config: Pick<RoomConfig, 'whois'>): boolean {
  return config.whois === 'anyone' || viewerRole === 'moderator';
}

/** §10: owners only (configuration, destruction). */
export function ownerDenial(affiliation: Affiliation): Denial | null {
  return affiliation === 'owner' ? null : deny('forbidden', 'Only owners may do this');
}

/** §7.2.9 room capacity: owners and admins are never counted against it (muc.md §3). */
export function roomFull(affiliation: Affiliation, occupants: number, limit: number): boolean {
  if (isAdminOrOwner(affiliation) || limit <= 0) return false;
  return occupants >= limit;
}
