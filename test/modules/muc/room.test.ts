// The protocol-independent room model: one entry per bare JID with a never-reused seq, listed in
// (rank, seq) order; multi-session occupancies with a dominant session; reservations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJid } from '../../../src/jid/index.ts';
import { Room } from '../../../src/modules/muc/room.ts';
import { defaultConfig } from '../../../src/modules/muc/types.ts';
import { xml } from '../../../src/xml/element.ts';

const newRoom = () => new Room({ jid: parseJid('tea@rooms.example'), config: defaultConfig({ maxUsers: 10, maxHistoryFetch: 10 }), secret: Buffer.alloc(32), createdSeq: 1 });
const j = (s: string) => parseJid(s);
const p = () => xml('presence', {});

test('occupants and lists come in (rank, seq) order, never hash order', () => {
  const room = newRoom();
  room.addSession(j('zed@x'), j('zed@x/1'), 'Zed', 'participant', p());
  room.addSession(j('amy@x'), j('amy@x/1'), 'Amy', 'participant', p());
  room.setAffiliation('own@x', 'owner');
  room.addSession(j('own@x'), j('own@x/1'), 'Own', 'moderator', p());
  room.setAffiliation('mem@x', 'member');
  room.setAffiliation('amy@x', 'member');
  assert.deepEqual(room.occupantEntries().map((e) => e.jid), ['own@x', 'amy@x', 'zed@x'], 'owner first, then member amy, then unaffiliated zed');
  assert.deepEqual(room.withAffiliation(['member']).map((e) => e.jid), ['amy@x', 'mem@x'], 'amy joined before mem was added');
  room.setAffiliation('new@x', 'member');
  assert.deepEqual(room.withAffiliation(['member']).map((e) => e.jid), ['amy@x', 'mem@x', 'new@x'], 'a new item goes last');
});

test('an entry lives while affiliated or present; a re-created entry gets a new seq', () => {
  const room = newRoom();
  const e1 = room.addSession(j('bob@x'), j('bob@x/a'), 'Bob', 'participant', p());
  const seq1 = e1.seq;
  room.removeSession(j('bob@x/a'));
  assert.equal(room.entry('bob@x'), undefined);
  const e2 = room.addSession(j('bob@x'), j('bob@x/a'), 'Bob', 'participant', p());
  assert.ok(e2.seq > seq1);
  room.setAffiliation('bob@x', 'member');
  room.removeSession(j('bob@x/a'));
  assert.equal(room.entry('bob@x')?.seq, e2.seq, 'kept: still a member');
  room.setAffiliation('bob@x', 'none');
  assert.equal(room.entry('bob@x'), undefined);
});

test('multi-session: one occupancy, the most recently updated session dominates, leaving one keeps the rest', () => {
  const room = newRoom();
  room.addSession(j('bob@x'), j('bob@x/a'), 'Bob', 'participant', xml('presence', {}, xml('show', {}, 'away')));
  const e = room.addSession(j('bob@x'), j('bob@x/b'), 'Bob', 'participant', xml('presence', {}, xml('show', {}, 'dnd')));
  assert.equal(room.occupants, 1);
  assert.equal(room.dominant(e.occupant!).jid.toString(), 'bob@x/b');
  room.updatePresence(j('bob@x/a'), xml('presence', {}, xml('show', {}, 'chat')));
  assert.equal(room.dominant(e.occupant!).jid.toString(), 'bob@x/a');
  assert.deepEqual(room.removeSession(j('bob@x/a')), { entry: e, occupantGone: false });
  assert.equal(room.byNickname('BOB'), e, 'nick lookup is case-insensitive');
  assert.equal(room.removeSession(j('bob@x/b'))?.occupantGone, true);
  assert.ok(room.isEmpty());
});

test('reservations: set, kept when undefined, removed with null; domain bans', () => {
  const room = newRoom();
  room.setAffiliation('bob@x', 'member', 'Bee');
  assert.equal(room.reservedBy('bee')?.jid, 'bob@x');
  room.setAffiliation('bob@x', 'admin');
  assert.equal(room.entry('bob@x')?.reservedNick, 'Bee');
  room.setAffiliation('bob@x', 'admin', null);
  assert.equal(room.reservedBy('Bee'), undefined);
  room.setAffiliation('evil.example', 'outcast');
  assert.equal(room.affiliationOf(j('anyone@evil.example')), 'outcast');
  assert.equal(room.affiliationOf(j('bob@x')), 'admin');
});

test('restored affiliations keep their seq and push the counter past them', () => {
  const room = newRoom();
  room.restore({ jid: 'a@x', affiliation: 'owner', nick: null, seq: 7 });
  room.restore({ jid: 'b@x', affiliation: 'member', nick: 'B', seq: 3 });
  assert.deepEqual(room.affiliations().map((e) => [e.jid, e.seq]), [['b@x', 3], ['a@x', 7]]);
  assert.ok(room.nextSeq >= 8);
  assert.equal(room.reservedBy('b')?.jid, 'b@x');
});
