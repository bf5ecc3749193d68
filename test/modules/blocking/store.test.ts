// The SQLite blocklist: kept in the order JIDs were blocked, adds and removes report what changed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSqliteStorage } from '../../../src/storage/sqlite/index.ts';
import { BlocklistCache } from '../../../src/modules/blocking/cache.ts';
import { parseJid } from '../../../src/jid/index.ts';

describe('blocklist store (SQLite)', () => {
  let storage: ReturnType<typeof createSqliteStorage>;
  before(() => {
    storage = createSqliteStorage(':memory:');
  });
  after(() => storage.close());

  test('keeps blocking order, reports what was added and removed', async () => {
    const b = storage.blocklist;
    assert.deepEqual(await b.add('alice', 'x.lit', ['z@x.lit', 'a@x.lit']), ['z@x.lit', 'a@x.lit']);
    assert.deepEqual(await b.add('alice', 'x.lit', ['a@x.lit', 'm.lit']), ['m.lit']);
    assert.deepEqual(await b.list('alice', 'x.lit'), ['z@x.lit', 'a@x.lit', 'm.lit']);
    assert.deepEqual(await b.remove('alice', 'x.lit', ['a@x.lit', 'never@x.lit']), ['a@x.lit']);
    // Re-blocking puts the JID at the end: the order is the order of blocking.
    await b.add('alice', 'x.lit', ['a@x.lit']);
    assert.deepEqual(await b.list('alice', 'x.lit'), ['z@x.lit', 'm.lit', 'a@x.lit']);
    assert.deepEqual(await b.clear('alice', 'x.lit'), ['z@x.lit', 'm.lit', 'a@x.lit']);
    assert.deepEqual(await b.list('alice', 'x.lit'), []);
  });

  test('the cache reloads after invalidate, and a load racing a change does not stick', async () => {
    const cache = new BlocklistCache(storage.blocklist, 2);
    await storage.blocklist.add('bob', 'x.lit', ['a@x.lit']);
    assert.deepEqual((await cache.get('bob', 'x.lit')).map(String), ['a@x.lit']);
    await storage.blocklist.add('bob', 'x.lit', ['b@x.lit']);
    assert.deepEqual((await cache.get('bob', 'x.lit')).map(String), ['a@x.lit'], 'served from the cache');
    cache.invalidate('bob', 'x.lit');
    assert.deepEqual((await cache.get('bob', 'x.lit')).map(String), ['a@x.lit', 'b@x.lit']);

    assert.equal(await cache.blocks('bob', 'x.lit', parseJid('b@x.lit/phone')), true);
    assert.equal(await cache.blocks('bob', 'x.lit', parseJid('c@x.lit')), false);
    await storage.blocklist.add('bob', 'x.lit', ['y.lit']);
    cache.invalidate('bob', 'x.lit');
    assert.equal(await cache.blocks('bob', 'x.lit', parseJid('anyone@y.lit')), true, 'domain items are found through the index');

    const loading = cache.get('carol', 'x.lit'); // starts reading an empty list
    await storage.blocklist.add('carol', 'x.lit', ['c@x.lit']);
    cache.invalidate('carol', 'x.lit');
    await loading;
    assert.deepEqual((await cache.get('carol', 'x.lit')).map(String), ['c@x.lit']);
  });
});
