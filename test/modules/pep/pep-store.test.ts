// The SQLite PEP store: items in publish order (re-publishing makes an item the newest, XEP-0060
// §12.1), max_items trimming in the same transaction, retrieval by count and id, node deletion
// taking items and affiliations along, and account deletion.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSqliteStorage } from '../../../src/storage/sqlite/index.ts';

const U = 'juliet';
const D = 'capulet.lit';
const item = (id: string, n = 0) => ({ id, payload: `<x xmlns='urn:t'>${n}</x>`, publisher: `${U}@${D}/balcony`, publishedAt: 1000 + n });

describe('pep store', () => {
  test('keeps publish order, moves a re-published id to the end and trims the oldest', async () => {
    const s = createSqliteStorage(':memory:');
    assert.equal(await s.pep.createNode(U, D, 'n', { 'pubsub#max_items': '3' }), true);
    assert.equal(await s.pep.createNode(U, D, 'n', {}), false);
    for (const [i, id] of ['a', 'b', 'c'].entries()) assert.deepEqual(await s.pep.publish(U, D, 'n', item(id, i), 3), []);
    assert.deepEqual(await s.pep.publish(U, D, 'n', item('a', 9), 3), []);
    assert.deepEqual((await s.pep.items(U, D, 'n')).map((i) => i.id), ['b', 'c', 'a']);
    assert.deepEqual(await s.pep.publish(U, D, 'n', item('d', 10), 3), ['b']);
    assert.deepEqual((await s.pep.items(U, D, 'n')).map((i) => i.id), ['c', 'a', 'd']);
    assert.deepEqual((await s.pep.items(U, D, 'n', { last: 2 })).map((i) => i.id), ['a', 'd']);
    assert.deepEqual((await s.pep.items(U, D, 'n', { ids: ['d', 'zz', 'c'] })).map((i) => i.id), ['c', 'd']);
    assert.equal((await s.pep.items(U, D, 'n', { ids: ['a'] }))[0].payload, `<x xmlns='urn:t'>9</x>`);
    assert.deepEqual(await s.pep.trim(U, D, 'n', 1), ['c', 'a']);
    await s.close();
  });

  test('nodes are per account; deleting a node or the account removes everything', async () => {
    const s = createSqliteStorage(':memory:');
    await s.accounts.create({ username: U, domain: D, credentials: {}, createdAt: 0 });
    await s.pep.createNode(U, D, 'b', {});
    await s.pep.createNode(U, D, 'a', { 'pubsub#access_model': 'whitelist' });
    await s.pep.createNode('romeo', D, 'a', {});
    assert.deepEqual((await s.pep.listNodes(U, D)).map((n) => n.node), ['a', 'b']);
    assert.deepEqual((await s.pep.getNode(U, D, 'a'))?.config, { 'pubsub#access_model': 'whitelist' });
    await s.pep.publish(U, D, 'a', item('x'), 10);
    await s.pep.setAffiliation(U, D, 'a', 'romeo@montague.lit', 'member');
    assert.deepEqual(await s.pep.affiliations(U, D, 'a'), [{ jid: 'romeo@montague.lit', affiliation: 'member' }]);
    assert.equal(await s.pep.deleteNode(U, D, 'a'), true);
    await s.pep.createNode(U, D, 'a', {});
    assert.deepEqual(await s.pep.items(U, D, 'a'), []);
    assert.deepEqual(await s.pep.affiliations(U, D, 'a'), []);
    await s.pep.publish(U, D, 'b', item('y'), 10);
    assert.equal(await s.deleteUser(U, D), true);
    assert.equal(await s.pep.countNodes(U, D), 0);
    assert.deepEqual(await s.pep.items(U, D, 'b'), []);
    assert.equal(await s.pep.countNodes('romeo', D), 1);
    await s.close();
  });

  test('caps cache keeps the most recently used entries within its bound', async () => {
    const s = createSqliteStorage(':memory:');
    await s.caps.put('sha-1', 'v1', ['a'], 2);
    await new Promise((r) => setTimeout(r, 5));
    await s.caps.put('sha-1', 'v2', ['b'], 2);
    await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(await s.caps.get('sha-1', 'v1'), ['a']); // touched: now the most recent
    await new Promise((r) => setTimeout(r, 5));
    await s.caps.put('sha-1', 'v3', ['c'], 2);
    assert.equal(await s.caps.get('sha-1', 'v2'), null);
    assert.deepEqual(await s.caps.get('sha-1', 'v1'), ['a']);
    assert.deepEqual(await s.caps.get('sha-1', 'v3'), ['c']);
    await s.close();
  });
});
