// The XEP-0045 permission matrix (§5.1.1, §5.2.1, §8, §9) as pure functions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { affiliationChangeDenial, affiliationListDenial, canSeeRealJids, defaultRole, entryDenial, groupchatDenial, inviteDenial, privateMessageDenial, roleChangeDenial, roleListDenial, roomFull, subjectDenial } from '../../../src/modules/muc/permissions.ts';

const cond = (d: { condition: string } | null) => d?.condition ?? 'ok';

test('§5.1.2 default roles by affiliation and room type', () => {
  const open = { moderated: false, membersOnly: false };
  const moderated = { moderated: true, membersOnly: false };
  const members = { moderated: false, membersOnly: true };
  assert.equal(defaultRole('owner', open), 'moderator');
  assert.equal(defaultRole('admin', moderated), 'moderator');
  assert.equal(defaultRole('member', moderated), 'participant');
  assert.equal(defaultRole('none', open), 'participant');
  assert.equal(defaultRole('none', moderated), 'visitor');
  assert.equal(defaultRole('none', members), 'none');
  assert.equal(defaultRole('outcast', open), 'none');
});

test('entry: outcasts forbidden, non-members of a members-only room registration-required', () => {
  assert.equal(cond(entryDenial('outcast', { membersOnly: false })), 'forbidden');
  assert.equal(cond(entryDenial('none', { membersOnly: true })), 'registration-required');
  assert.equal(cond(entryDenial('member', { membersOnly: true })), 'ok');
  assert.equal(cond(entryDenial('none', { membersOnly: false })), 'ok');
});

test('speaking, subject and private messages by role', () => {
  assert.equal(cond(groupchatDenial('none')), 'not-acceptable');
  assert.equal(cond(groupchatDenial('visitor')), 'forbidden');
  assert.equal(cond(groupchatDenial('participant')), 'ok');
  assert.equal(cond(subjectDenial('participant', { changeSubject: false })), 'forbidden');
  assert.equal(cond(subjectDenial('participant', { changeSubject: true })), 'ok');
  assert.equal(cond(subjectDenial('visitor', { changeSubject: true })), 'forbidden');
  assert.equal(cond(subjectDenial('moderator', { changeSubject: false })), 'ok');
  assert.equal(cond(privateMessageDenial('visitor', 'participants')), 'forbidden');
  assert.equal(cond(privateMessageDenial('visitor', 'anyone')), 'ok');
  assert.equal(cond(privateMessageDenial('participant', 'moderators')), 'forbidden');
  assert.equal(cond(privateMessageDenial('moderator', 'none')), 'forbidden');
  assert.equal(cond(privateMessageDenial('none', 'anyone')), 'not-acceptable');
});

test('invitations (1.35.3): members-only needs admin, or member with allowinvites; open rooms any occupant', () => {
  const mo = (allowInvites: boolean) => ({ membersOnly: true, allowInvites });
  assert.equal(cond(inviteDenial('owner', 'none', mo(false))), 'ok');
  assert.equal(cond(inviteDenial('admin', 'moderator', mo(false))), 'ok');
  assert.equal(cond(inviteDenial('member', 'participant', mo(false))), 'forbidden');
  assert.equal(cond(inviteDenial('member', 'participant', mo(true))), 'ok');
  assert.equal(cond(inviteDenial('none', 'participant', { membersOnly: false, allowInvites: false })), 'ok');
  assert.equal(cond(inviteDenial('none', 'none', { membersOnly: false, allowInvites: true })), 'forbidden');
});

test('§8.2 kick: lower affiliation cannot kick higher; moderators only by admins; not oneself', () => {
  const mod = (affiliation: 'none' | 'member' | 'admin' | 'owner') => ({ affiliation, role: 'moderator' as const, self: false });
  assert.equal(cond(roleChangeDenial({ affiliation: 'none', role: 'participant', self: false }, { affiliation: 'none', role: 'participant' }, 'none')), 'forbidden');
  assert.equal(cond(roleChangeDenial(mod('member'), { affiliation: 'admin', role: 'moderator' }, 'none')), 'not-allowed');
  assert.equal(cond(roleChangeDenial(mod('admin'), { affiliation: 'owner', role: 'moderator' }, 'none')), 'not-allowed');
  assert.equal(cond(roleChangeDenial(mod('none'), { affiliation: 'none', role: 'moderator' }, 'none')), 'not-allowed');
  assert.equal(cond(roleChangeDenial(mod('admin'), { affiliation: 'none', role: 'moderator' }, 'none')), 'ok');
  assert.equal(cond(roleChangeDenial({ ...mod('owner'), self: true }, { affiliation: 'owner', role: 'moderator' }, 'none')), 'conflict');
  assert.equal(cond(roleChangeDenial(mod('member'), { affiliation: 'none', role: 'participant' }, 'none')), 'ok');
});

test('§8.4/§9.6-9.7 voice and moderator status', () => {
  const mod = (affiliation: 'none' | 'member' | 'admin' | 'owner') => ({ affiliation, role: 'moderator' as const, self: false });
  assert.equal(cond(roleChangeDenial(mod('none'), { affiliation: 'none', role: 'visitor' }, 'participant')), 'ok', 'grant voice');
  assert.equal(cond(roleChangeDenial(mod('owner'), { affiliation: 'admin', role: 'moderator' }, 'visitor')), 'not-allowed', 'admins keep voice');
  assert.equal(cond(roleChangeDenial(mod('none'), { affiliation: 'member', role: 'participant' }, 'visitor')), 'not-allowed', 'higher affiliation');
  assert.equal(cond(roleChangeDenial(mod('none'), { affiliation: 'none', role: 'participant' }, 'moderator')), 'forbidden', 'only admins grant moderator');
  assert.equal(cond(roleChangeDenial(mod('admin'), { affiliation: 'none', role: 'participant' }, 'moderator')), 'ok');
  assert.equal(cond(roleChangeDenial(mod('admin'), { affiliation: 'member', role: 'moderator' }, 'participant')), 'ok', 'revoke moderator from a member');
  assert.equal(cond(roleChangeDenial(mod('owner'), { affiliation: 'admin', role: 'moderator' }, 'participant')), 'not-allowed');
});

test('§9-§10 affiliation changes: admins edit members and bans of lower users; owners everything; no self-ban', () => {
  const admin = { affiliation: 'admin' as const, self: false };
  const owner = { affiliation: 'owner' as const, self: false };
  assert.equal(cond(affiliationChangeDenial({ affiliation: 'member', self: false }, 'none', 'member')), 'forbidden');
  assert.equal(cond(affiliationChangeDenial({ affiliation: 'none', self: false }, 'none', 'admin')), 'forbidden');
  assert.equal(cond(affiliationChangeDenial(admin, 'none', 'member')), 'ok');
  assert.equal(cond(affiliationChangeDenial(admin, 'member', 'outcast')), 'ok');
  assert.equal(cond(affiliationChangeDenial(admin, 'none', 'admin')), 'forbidden', 'admin list is the owners\'');
  assert.equal(cond(affiliationChangeDenial(admin, 'owner', 'outcast')), 'not-allowed', '§9.1 admin banning an owner');
  assert.equal(cond(affiliationChangeDenial(admin, 'admin', 'member')), 'not-allowed');
  assert.equal(cond(affiliationChangeDenial({ affiliation: 'admin', self: true }, 'admin', 'outcast')), 'conflict', '§9.1 self-ban');
  assert.equal(cond(affiliationChangeDenial(owner, 'admin', 'outcast')), 'ok');
  assert.equal(cond(affiliationChangeDenial(owner, 'none', 'owner')), 'ok');
});

test('who reads which list (1.35.0)', () => {
  const occupant = { affiliation: 'none' as const, role: 'participant' as const };
  const member = { affiliation: 'member' as const, role: 'none' as const };
  const admin = { affiliation: 'admin' as const, role: 'moderator' as const };
  const semi = { whois: 'moderators' as const };
  const non = { whois: 'anyone' as const };
  assert.equal(cond(affiliationListDenial(admin, 'outcast', semi)), 'ok');
  assert.equal(cond(affiliationListDenial(occupant, 'outcast', non)), 'forbidden');
  assert.equal(cond(affiliationListDenial(occupant, 'member', semi)), 'forbidden');
  assert.equal(cond(affiliationListDenial(occupant, 'member', non)), 'ok');
  assert.equal(cond(affiliationListDenial(member, 'member', non)), 'ok', 'a member who is not in the room');
  assert.equal(cond(affiliationListDenial(member, 'owner', non)), 'forbidden', 'owner list for occupants only');
  assert.equal(cond(affiliationListDenial(occupant, 'owner', non)), 'ok');
  assert.equal(cond(roleListDenial({ affiliation: 'none', role: 'moderator' }, 'participant')), 'ok');
  assert.equal(cond(roleListDenial({ affiliation: 'none', role: 'moderator' }, 'moderator')), 'forbidden');
  assert.equal(cond(roleListDenial(occupant, 'visitor')), 'forbidden');
});

test('real JIDs and room capacity', () => {
  assert.equal(canSeeRealJids('participant', { whois: 'moderators' }), false);
  assert.equal(canSeeRealJids('moderator', { whois: 'moderators' }), true);
  assert.equal(canSeeRealJids('visitor', { whois: 'anyone' }), true);
  assert.equal(roomFull('none', 10, 10), true);
  assert.equal(roomFull('member', 9, 10), false);
  assert.equal(roomFull('admin', 50, 10), false, 'owners and admins are exempt');
});
