// OfflineStore contract (XEP-0160 storage): arrival order with increasing ids, an atomic per-user
// quota in messages and UTF-8 bytes, deletion by id within the user's own queue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contract, withStorage } from './drivers.ts';

const roomy = { maxMessages: 1000, maxBytes: 1_000_000 };
const msg = (n: number) => `<message xmlns="jabber:client" id="m${n}"><body>${n}</body></message>`;

contract('offline store', (open) => {
  test('messages come back oldest first with increasing ids and their storedAt', () =>
    withStorage(open, async (s) => {
      for (let i = 0; i < 5; i++) assert.equal(await s.offline.append('u', 'd', msg(i), 1000 + (5 - i), roomy), true);
      await s.offline.append('v', 'd', msg(99), 1, roomy);
      const list = await s.offline.list('u', 'd');
      assert.deepEqual(list.map((m) => m.stanza), [0, 1, 2, 3, 4].map(msg));
      assert.deepEqual(list.map((m) => m.storedAt), [1005, 1004, 1003, 1002, 1001], 'order is arrival, not storedAt');
      for (let i = 1; i < list.length; i++) assert.ok(list[i].id > list[i - 1].id);
      assert.deepEqual((await s.offline.list('u', 'd', 2)).map((m) => m.stanza), [msg(0), msg(1)]);
      assert.equal(await s.offline.count('u', 'd'), 5);
      assert.equal(await s.offline.count('nobody', 'd'), 0);
    }));

  test('the quota counts messages and UTF-8 bytes; a refused message is not stored', () =>
    withStorage(open, async (s) => {
      const two = { maxMessages: 2, maxBytes: 1_000_000 };
      assert.equal(await s.offline.append('u', 'd', msg(1), 1, two), true);
      assert.equal(await s.offline.append('u', 'd', msg(2), 1, two), true);
      assert.equal(await s.offline.append('u', 'd', msg(3), 1, two), false);
      assert.equal(await s.offline.count('u', 'd'), 2);
      // 'é' is two bytes in UTF-8: 10 characters, 11 bytes.
      const stanza = '<m>ééé</m>'.padEnd(10, ' ');
      assert.equal(Buffer.byteLength(stanza), 13);
      const bytes = { maxMessages: 100, maxBytes: 25 };
      assert.equal(await s.offline.append('v', 'd', stanza, 1, bytes), true);
      assert.equal(await s.offline.append('v', 'd', stanza, 1, bytes), false, '13 + 13 > 25');
      assert.equal(await s.offline.append('v', 'd', 'x'.repeat(12), 1, bytes), true, '13 + 12 = 25 fits exactly');
      assert.equal(await s.offline.count('v', 'd'), 2);
    }));

  test('concurrent appends never exceed the quota (the check and the insert are atomic)', () =>
    withStorage(open, async (s) => {
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => s.offline.append('u', 'd', msg(i), i, { maxMessages: 7, maxBytes: 1_000_000 })));
      assert.equal(results.filter(Boolean).length, 7);
      assert.equal(await s.offline.count('u', 'd'), 7);
    }));

  test('delete removes the given ids of that user only; the rest keep their order', () =>
    withStorage(open, async (s) => {
      for (let i = 0; i < 4; i++) await s.offline.append('u', 'd', msg(i), i, roomy);
      await s.offline.append('v', 'd', msg(9), 9, roomy);
      const [a, , c] = await s.offline.list('u', 'd');
      const [foreign] = await s.offline.list('v', 'd');
      await s.offline.delete('u', 'd', [c.id, a.id, foreign.id]);
      await s.offline.delete('u', 'd', []);
      assert.deepEqual((await s.offline.list('u', 'd')).map((m) => m.stanza), [msg(1), msg(3)]);
      assert.equal(await s.offline.count('v', 'd'), 1, "another user's message cannot be deleted through this user");
      // Freed quota can be used again.
      assert.equal(await s.offline.append('u', 'd', msg(4), 4, { maxMessages: 3, maxBytes: 1_000_000 }), true);
    }));

  test('deleteUser empties the queue; a stored message is visible to another connection at once', () =>
    withStorage(open, async (s, o) => {
      await s.accounts.create({ username: 'u', domain: 'd', credentials: {}, createdAt: 0 });
      await s.offline.append('u', 'd', msg(1), 1, roomy);
      const other = await o.reopen();
      assert.equal(await other.offline.count('u', 'd'), 1);
      assert.equal(await s.deleteUser('u', 'd'), true);
      assert.deepEqual(await s.offline.list('u', 'd'), []);
    }));
});
