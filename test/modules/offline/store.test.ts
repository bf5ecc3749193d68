// The SQLite offline store: arrival order, the quota checked with the insert, deletion by id,
// and removal with the account.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSqliteStorage } from '../../../src/storage/sqlite/index.ts';

describe('offline store (SQLite)', () => {
  let storage: ReturnType<typeof createSqliteStorage>;
  before(() => {
    storage = createSqliteStorage(':memory:');
  });
  after(() => storage.close());

  test('lists oldest first and deletes exactly the given ids', async () => {
    const q = { maxMessages: 100, maxBytes: 1 << 20 };
    for (const n of [1, 2, 3, 4]) assert.equal(await storage.offline.append('bob', 'x.lit', `<m n="${n}"/>`, n, q), true);
    const all = await storage.offline.list('bob', 'x.lit');
    assert.deepEqual(all.map((m) => m.stanza), ['<m n="1"/>', '<m n="2"/>', '<m n="3"/>', '<m n="4"/>']);
    assert.deepEqual((await storage.offline.list('bob', 'x.lit', 2)).map((m) => m.storedAt), [1, 2]);
    await storage.offline.delete('bob', 'x.lit', [all[0].id, all[2].id]);
    assert.deepEqual((await storage.offline.list('bob', 'x.lit')).map((m) => m.stanza), ['<m n="2"/>', '<m n="4"/>']);
    await storage.offline.delete('bob', 'x.lit', all.map((m) => m.id));
    assert.equal(await storage.offline.count('bob', 'x.lit'), 0);
  });

  test('refuses the message past max_messages, and past max_bytes', async () => {
    const q = { maxMessages: 2, maxBytes: 1 << 20 };
    assert.equal(await storage.offline.append('carol', 'x.lit', '<a/>', 1, q), true);
    assert.equal(await storage.offline.append('carol', 'x.lit', '<b/>', 2, q), true);
    assert.equal(await storage.offline.append('carol', 'x.lit', '<c/>', 3, q), false);
    assert.equal(await storage.offline.count('carol', 'x.lit'), 2);
    const small = { maxMessages: 100, maxBytes: 10 };
    assert.equal(await storage.offline.append('dave', 'x.lit', '<12345/>', 1, small), true); // 9 bytes
    assert.equal(await storage.offline.append('dave', 'x.lit', '<a/>', 2, small), false); // would be 13
    assert.equal(await storage.offline.count('dave', 'x.lit'), 1);
  });

  test('accounts are separate, and deleteUser removes a user\'s messages', async () => {
    const q = { maxMessages: 10, maxBytes: 1 << 20 };
    await storage.accounts.create({ username: 'erin', domain: 'x.lit', credentials: {}, createdAt: 0 });
    await storage.offline.append('erin', 'x.lit', '<e/>', 1, q);
    await storage.offline.append('erin', 'y.lit', '<other-domain/>', 1, q);
    assert.equal(await storage.deleteUser('erin', 'x.lit'), true);
    assert.equal(await storage.offline.count('erin', 'x.lit'), 0);
    assert.equal(await storage.offline.count('erin', 'y.lit'), 1);
  });
});
