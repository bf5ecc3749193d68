// SQLite MucStore: persistent rooms with affiliations in seq order, partial updates, account
// deletion (userTables), tombstones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSqliteStorage } from '../../../src/storage/sqlite/index.ts';

const room = { jid: 'tea@rooms.example', service: 'rooms.example', createdSeq: 4, config: '{"persistent":true}', subject: null, secret: 'c2VjcmV0', nextSeq: 3 };

test('save, list in order, update, delete', async () => {
  const s = createSqliteStorage(':memory:');
  try {
    await s.muc.saveRoom(room, [{ jid: 'own@a.example', affiliation: 'owner', nick: null, seq: 1 }, { jid: 'bob@b.example', affiliation: 'member', nick: 'Bob', seq: 2 }]);
    await s.muc.saveRoom({ ...room, jid: 'old@rooms.example', createdSeq: 2 }, []);
    assert.equal(await s.muc.maxCreatedSeq('rooms.example'), 4);
    let rooms = await s.muc.rooms('rooms.example');
    assert.deepEqual(rooms.map((r) => r.jid), ['old@rooms.example', 'tea@rooms.example'], 'creation order');
    assert.deepEqual(rooms[1].affiliations.map((a) => a.jid), ['own@a.example', 'bob@b.example']);
    await s.muc.setAffiliations(room.jid, [{ jid: 'bob@b.example', affiliation: null, nick: null, seq: 0 }, { jid: 'cid@c.example', affiliation: 'admin', nick: 'C', seq: 5 }], 6);
    await s.muc.updateRoom(room.jid, { subject: '{"text":"hi"}', config: '{"persistent":true,"name":"T"}' });
    rooms = await s.muc.rooms('rooms.example');
    const tea = rooms.find((r) => r.jid === room.jid)!;
    assert.deepEqual(tea.affiliations, [{ jid: 'own@a.example', affiliation: 'owner', nick: null, seq: 1 }, { jid: 'cid@c.example', affiliation: 'admin', nick: 'C', seq: 5 }]);
    assert.equal(tea.nextSeq, 6);
    assert.equal(tea.subject, '{"text":"hi"}');
    assert.equal(tea.config, '{"persistent":true,"name":"T"}');
    await s.muc.setAffiliations('unknown@rooms.example', [{ jid: 'x@y', affiliation: 'member', nick: null, seq: 1 }], 2);
    assert.equal((await s.muc.rooms('rooms.example')).length, 2, 'no row for a room that is not stored');
    await s.muc.deleteRoom(room.jid);
    assert.deepEqual((await s.muc.rooms('rooms.example')).map((r) => r.jid), ['old@rooms.example']);
    assert.equal(await s.muc.maxCreatedSeq('rooms.example'), 4, 'creation order is never reused');
  } finally {
    await s.close();
  }
});

test('account deletion removes its affiliations', async () => {
  const s = createSqliteStorage(':memory:');
  try {
    await s.accounts.create({ username: 'bob', domain: 'b.example', credentials: {}, createdAt: 0 });
    await s.muc.saveRoom(room, [{ jid: 'bob@b.example', affiliation: 'owner', nick: 'Bob', seq: 1 }, { jid: 'b.example', affiliation: 'outcast', nick: null, seq: 2 }]);
    await s.deleteUser('bob', 'b.example');
    assert.deepEqual((await s.muc.rooms('rooms.example'))[0].affiliations.map((a) => a.jid), ['b.example'], 'the domain ban stays');
  } finally {
    await s.close();
  }
});

test('tombstones by room and id', async () => {
  const s = createSqliteStorage(':memory:');
  try {
    await s.muc.putTombstone('r@x', 'id1', '<message/>');
    await s.muc.putTombstone('r@x', 'id1', '<message id="2"/>');
    const t = await s.muc.tombstones('r@x', ['id1', 'id2']);
    assert.deepEqual([...t.entries()], [['id1', '<message id="2"/>']]);
    await s.muc.deleteTombstones('r@x');
    assert.equal((await s.muc.tombstones('r@x', ['id1'])).size, 0);
  } finally {
    await s.close();
  }
});
