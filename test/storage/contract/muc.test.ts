// MucStore contract (XEP-0045 persistent rooms, XEP-0425 tombstones): rooms in creation order per
// service, affiliations in seq order, keyset pages in (rank, seq) order (participant lists), a
// creation sequence that never goes back, and account deletion taking the account's affiliations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StoredAffiliation, StoredRoom } from '../../../src/storage/types.ts';
import { contract, withStorage } from './drivers.ts';

const SVC = 'chat.shakespeare.lit';
const room = (name: string, createdSeq: number, extra: Partial<StoredRoom> = {}): StoredRoom => ({
  jid: `${name}@${SVC}`,
  service: SVC,
  createdSeq,
  config: JSON.stringify({ name, persistent: true }),
  subject: null,
  secret: 'c2VjcmV0',
  nextSeq: 10,
  ...extra,
});
const aff = (jid: string, affiliation: string, seq: number, nick: string | null = null): StoredAffiliation => ({ jid, affiliation, nick, seq });

contract('muc store', (open) => {
  test('rooms come back per service in creation order, each with its affiliations in seq order', () =>
    withStorage(open, async (s) => {
      await s.muc.saveRoom(room('zeta', 2), [aff('romeo@montague.lit', 'owner', 3, 'Romeo'), aff('juliet@capulet.lit', 'member', 1, 'Juliet'), aff('capulet.lit', 'outcast', 2)]);
      await s.muc.saveRoom(room('alpha', 5, { subject: 'Verona', nextSeq: 7 }), []);
      await s.muc.saveRoom(room('mid', 3), [aff('nurse@capulet.lit', 'admin', 1)]);
      await s.muc.saveRoom({ ...room('elsewhere', 1), jid: 'elsewhere@other.lit', service: 'other.lit' }, []);
      const rooms = await s.muc.rooms(SVC);
      assert.deepEqual(rooms.map((r) => r.jid), [`zeta@${SVC}`, `mid@${SVC}`, `alpha@${SVC}`]);
      assert.deepEqual(rooms[0], { ...room('zeta', 2), affiliations: [aff('juliet@capulet.lit', 'member', 1, 'Juliet'), aff('capulet.lit', 'outcast', 2), aff('romeo@montague.lit', 'owner', 3, 'Romeo')] });
      assert.deepEqual(rooms[2], { ...room('alpha', 5, { subject: 'Verona', nextSeq: 7 }), affiliations: [] });
      assert.deepEqual(await s.muc.rooms('none.lit'), []);
    }));

  test('maxCreatedSeq is the highest ever given on the service, even after a room is deleted', () =>
    withStorage(open, async (s) => {
      assert.equal(await s.muc.maxCreatedSeq(SVC), 0);
      await s.muc.saveRoom(room('a', 4), []);
      await s.muc.saveRoom(room('b', 9), []);
      await s.muc.saveRoom(room('c', 6), []);
      assert.equal(await s.muc.maxCreatedSeq(SVC), 9);
      await s.muc.deleteRoom(`b@${SVC}`);
      assert.equal(await s.muc.maxCreatedSeq(SVC), 9);
      assert.equal(await s.muc.maxCreatedSeq('other.lit'), 0);
    }));

  test('saveRoom replaces the room and all its affiliations', () =>
    withStorage(open, async (s) => {
      await s.muc.saveRoom(room('r', 1), [aff('a@x', 'owner', 1), aff('b@x', 'member', 2)]);
      await s.muc.saveRoom(room('r', 1, { config: '{"changed":true}', subject: 'new' }), [aff('c@x', 'owner', 3)]);
      const [r] = await s.muc.rooms(SVC);
      assert.equal(r.config, '{"changed":true}');
      assert.equal(r.subject, 'new');
      assert.deepEqual(r.affiliations, [aff('c@x', 'owner', 3)]);
    }));

  test('updateRoom changes only the fields given; nextSeq never goes back; unknown rooms are ignored', () =>
    withStorage(open, async (s) => {
      await s.muc.saveRoom(room('r', 1, { subject: 'old', nextSeq: 10 }), []);
      await s.muc.updateRoom(`r@${SVC}`, { subject: 'new' });
      await s.muc.updateRoom(`r@${SVC}`, { nextSeq: 20 });
      await s.muc.updateRoom(`r@${SVC}`, { nextSeq: 15, config: '{"c":2}' });
      await s.muc.updateRoom(`r@${SVC}`, {});
      await s.muc.updateRoom(`missing@${SVC}`, { subject: 'x' });
      let [r] = await s.muc.rooms(SVC);
      assert.deepEqual([r.subject, r.nextSeq, r.config, r.secret], ['new', 20, '{"c":2}', 'c2VjcmV0']);
      await s.muc.updateRoom(`r@${SVC}`, { subject: null });
      [r] = await s.muc.rooms(SVC);
      assert.equal(r.subject, null);
      assert.equal((await s.muc.rooms(SVC)).length, 1);
    }));

  test('setAffiliations applies changes and nextSeq together; null removes; a missing room is a no-op', () =>
    withStorage(open, async (s) => {
      await s.muc.saveRoom(room('r', 1, { nextSeq: 3 }), [aff('a@x', 'owner', 1), aff('b@x', 'member', 2)]);
      await s.muc.setAffiliations(`r@${SVC}`, [
        { jid: 'b@x', affiliation: null, nick: null, seq: 0 },
        { jid: 'c@x', affiliation: 'admin', nick: 'C', seq: 3 },
        { jid: 'a@x', affiliation: 'member', nick: null, seq: 4 },
      ], 5);
      const [r] = await s.muc.rooms(SVC);
      assert.deepEqual(r.affiliations, [aff('c@x', 'admin', 3, 'C'), aff('a@x', 'member', 4)]);
      assert.equal(r.nextSeq, 5);
      await s.muc.setAffiliations(`r@${SVC}`, [], 2);
      assert.equal((await s.muc.rooms(SVC))[0].nextSeq, 5, 'nextSeq never goes back');
      await s.muc.setAffiliations(`ghost@${SVC}`, [{ jid: 'a@x', affiliation: 'owner', nick: null, seq: 1 }], 9);
      assert.deepEqual((await s.muc.rooms(SVC)).map((x) => x.jid), [`r@${SVC}`], 'no room appears from setAffiliations');
    }));

  test('deleteRoom drops the room and its affiliations but keeps tombstones until deleteTombstones', () =>
    withStorage(open, async (s) => {
      await s.muc.saveRoom(room('r', 1), [aff('a@x', 'owner', 1)]);
      await s.muc.putTombstone(`r@${SVC}`, 'id1', '<message><retracted/></message>');
      await s.muc.putTombstone(`r@${SVC}`, 'id2', '<message>2</message>');
      await s.muc.putTombstone(`r@${SVC}`, 'id1', '<message>1 again</message>');
      await s.muc.putTombstone(`other@${SVC}`, 'id3', '<message>3</message>');
      await s.muc.deleteRoom(`r@${SVC}`);
      assert.deepEqual(await s.muc.rooms(SVC), []);
      const t = await s.muc.tombstones(`r@${SVC}`, ['id2', 'nope', 'id1', 'id3']);
      assert.deepEqual([...t.entries()].sort(), [['id1', '<message>1 again</message>'], ['id2', '<message>2</message>']]);
      assert.equal((await s.muc.tombstones(`r@${SVC}`, [])).size, 0);
      await s.muc.deleteTombstones(`r@${SVC}`);
      assert.equal((await s.muc.tombstones(`r@${SVC}`, ['id1', 'id2'])).size, 0);
      assert.equal((await s.muc.tombstones(`other@${SVC}`, ['id3'])).size, 1);
      // A room saved again after deletion starts with the affiliations it is saved with.
      await s.muc.saveRoom(room('r', 7), []);
      assert.deepEqual((await s.muc.rooms(SVC))[0].affiliations, []);
    }));

  test('affiliationPage walks (rank, seq) order by keyset, both ways, filtered by rank, and follows changes', () =>
    withStorage(open, async (s) => {
      const r = `paged@${SVC}`;
      // seq order differs from rank order on purpose: the page must follow (rank, seq).
      await s.muc.saveRoom(room('paged', 1), [
        aff('m1@x', 'member', 1), aff('o1@x', 'owner', 2), aff('m2@x', 'member', 3), aff('out@x', 'outcast', 4),
        aff('a1@x', 'admin', 5), aff('m3@x', 'member', 6), aff('o2@x', 'owner', 7),
      ]);
      await s.muc.saveRoom(room('other', 2), [aff('m9@x', 'member', 1)]);
      const jids = (rows: StoredAffiliation[]) => rows.map((a) => a.jid);
      const all = [0, 1, 2, 3, 4];
      assert.deepEqual(jids(await s.muc.affiliationPage(r, { ranks: all, limit: 100 })), ['o1@x', 'o2@x', 'a1@x', 'm1@x', 'm2@x', 'm3@x', 'out@x']);
      assert.deepEqual(await s.muc.affiliationPage(r, { ranks: all, limit: 1 }), [aff('o1@x', 'owner', 2)]);
      // Forwards in pages of 2 from a keyset position; the position's own row is never repeated.
      assert.deepEqual(jids(await s.muc.affiliationPage(r, { ranks: all, after: { rank: 0, seq: 7 }, limit: 2 })), ['a1@x', 'm1@x']);
      assert.deepEqual(jids(await s.muc.affiliationPage(r, { ranks: all, after: { rank: 2, seq: 1 }, limit: 2 })), ['m2@x', 'm3@x']);
      assert.deepEqual(jids(await s.muc.affiliationPage(r, { ranks: all, after: { rank: 4, seq: 4 }, limit: 2 })), []);
      // Backwards: the rows just before the position, still returned in ascending order.
      assert.deepEqual(jids(await s.muc.affiliationPage(r, { ranks: all, before: { rank: 2, seq: 3 }, limit: 2 })), ['a1@x', 'm1@x']);
      assert.deepEqual(jids(await s.muc.affiliationPage(r, { ranks: all, before: { rank: 9, seq: 0 }, limit: 3 })), ['m2@x', 'm3@x', 'out@x']);
      // Rank filters, also non-contiguous ones; a position need not be a stored row.
      assert.deepEqual(jids(await s.muc.affiliationPage(r, { ranks: [2], limit: 10 })), ['m1@x', 'm2@x', 'm3@x']);
      assert.deepEqual(jids(await s.muc.affiliationPage(r, { ranks: [0, 2], after: { rank: 1, seq: 0 }, limit: 10 })), ['m1@x', 'm2@x', 'm3@x']);
      assert.deepEqual(jids(await s.muc.affiliationPage(r, { ranks: [0, 4], limit: 10 })), ['o1@x', 'o2@x', 'out@x']);
      assert.deepEqual(await s.muc.affiliationPage(r, { ranks: [], limit: 10 }), []);
      assert.deepEqual(await s.muc.affiliationPage(r, { ranks: all, limit: 0 }), []);
      // An affiliation change moves the row to its new rank, keeping its seq; removal drops it.
      await s.muc.setAffiliations(r, [{ jid: 'm3@x', affiliation: 'admin', nick: 'Three', seq: 6 }, { jid: 'm1@x', affiliation: null, nick: null, seq: 0 }, { jid: 'n@x', affiliation: 'member', nick: null, seq: 8 }], 9);
      assert.deepEqual(jids(await s.muc.affiliationPage(r, { ranks: all, limit: 100 })), ['o1@x', 'o2@x', 'a1@x', 'm3@x', 'm2@x', 'n@x', 'out@x']);
      assert.deepEqual(await s.muc.affiliationPage(r, { ranks: [1], after: { rank: 1, seq: 5 }, limit: 5 }), [aff('m3@x', 'admin', 6, 'Three')]);
      assert.deepEqual(jids(await s.muc.affiliationPage(`other@${SVC}`, { ranks: all, limit: 10 })), ['m9@x']);
    }));

  test("deleting an account removes that account's affiliations in every room, and only those", () =>
    withStorage(open, async (s) => {
      await s.accounts.create({ username: 'juliet', domain: 'capulet.lit', credentials: {}, createdAt: 0 });
      await s.muc.saveRoom(room('a', 1), [aff('juliet@capulet.lit', 'owner', 1), aff('romeo@montague.lit', 'member', 2), aff('capulet.lit', 'outcast', 3)]);
      await s.muc.saveRoom(room('b', 2), [aff('juliet@capulet.lit', 'admin', 1)]);
      assert.equal(await s.deleteUser('juliet', 'capulet.lit'), true);
      const rooms = await s.muc.rooms(SVC);
      assert.deepEqual(rooms.map((r) => r.affiliations.map((a) => a.jid)), [['romeo@montague.lit', 'capulet.lit'], []]);
    }));
});
