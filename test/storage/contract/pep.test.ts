// PepStore contract (XEP-0163 over XEP-0060 storage): nodes per account ordered by name, items in
// publish order (re-publishing makes an item the newest, XEP-0060 §12.1), max_items trimming
// the oldest in the same transaction (§7.1.2.5), affiliations ordered by JID, node deletion
// taking items and affiliations along.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contract, withStorage } from './drivers.ts';

const U = 'juliet';
const D = 'capulet.lit';
const item = (id: string, n = 0) => ({ id, payload: `<x xmlns='urn:t'>${n}</x>`, publisher: `${U}@${D}/balcony`, publishedAt: 1_700_000_000_000 + n });

contract('pep store', (open) => {
  test('nodes: create once, config round-trips, list ordered by name, count, setConfig', () =>
    withStorage(open, async (s) => {
      const config = { 'pubsub#access_model': 'whitelist', 'pubsub#max_items': '10', 'pubsub#children': ['a', 'b'] };
      assert.equal(await s.pep.createNode(U, D, 'urn:xmpp:microblog:0', config), true);
      assert.equal(await s.pep.createNode(U, D, 'urn:xmpp:microblog:0', {}), false);
      await s.pep.createNode(U, D, 'Zeta', {});
      await s.pep.createNode(U, D, 'eu.siacs.conversations.axolotl.devicelist', {});
      await s.pep.createNode('romeo', D, 'other', {});
      const node = await s.pep.getNode(U, D, 'urn:xmpp:microblog:0');
      assert.deepEqual(node?.config, config);
      assert.equal(typeof node?.createdAt, 'number');
      assert.equal(await s.pep.getNode(U, D, 'missing'), null);
      assert.deepEqual((await s.pep.listNodes(U, D)).map((n) => n.node), ['Zeta', 'eu.siacs.conversations.axolotl.devicelist', 'urn:xmpp:microblog:0']);
      assert.equal(await s.pep.countNodes(U, D), 3);
      assert.equal(await s.pep.setConfig(U, D, 'Zeta', { 'pubsub#access_model': 'open' }), true);
      assert.deepEqual((await s.pep.getNode(U, D, 'Zeta'))?.config, { 'pubsub#access_model': 'open' });
      assert.equal(await s.pep.setConfig(U, D, 'missing', {}), false);
    }));

  test('items keep publish order; re-publishing moves an id to the newest; the oldest are trimmed', () =>
    withStorage(open, async (s) => {
      await s.pep.createNode(U, D, 'n', {});
      for (const [i, id] of ['a', 'b', 'c'].entries()) assert.deepEqual(await s.pep.publish(U, D, 'n', item(id, i), 3), []);
      assert.deepEqual(await s.pep.publish(U, D, 'n', item('a', 9), 3), []);
      assert.deepEqual((await s.pep.items(U, D, 'n')).map((i) => i.id), ['b', 'c', 'a']);
      assert.deepEqual(await s.pep.items(U, D, 'n', { ids: ['a'] }), [item('a', 9)], 'the re-published payload replaced the old one');
      assert.deepEqual(await s.pep.publish(U, D, 'n', item('d', 10), 3), ['b']);
      assert.deepEqual((await s.pep.items(U, D, 'n')).map((i) => i.id), ['c', 'a', 'd']);
      assert.deepEqual(await s.pep.publish(U, D, 'n', item('e', 11), 1), ['c', 'a', 'd'], 'dropped ids come oldest first');
      assert.deepEqual((await s.pep.items(U, D, 'n')).map((i) => i.id), ['e']);
    }));

  test('items: the newest n, or the ids asked for in publish order; trim keeps the newest', () =>
    withStorage(open, async (s) => {
      for (const [i, id] of ['p', 'q', 'r', 's'].entries()) await s.pep.publish(U, D, 'n', item(id, i), 10);
      assert.deepEqual((await s.pep.items(U, D, 'n', { last: 2 })).map((i) => i.id), ['r', 's']);
      assert.deepEqual((await s.pep.items(U, D, 'n', { last: 0 })).map((i) => i.id), []);
      assert.deepEqual((await s.pep.items(U, D, 'n', { last: 99 })).map((i) => i.id), ['p', 'q', 'r', 's']);
      assert.deepEqual((await s.pep.items(U, D, 'n', { ids: ['s', 'zz', 'p'] })).map((i) => i.id), ['p', 's']);
      assert.deepEqual(await s.pep.items(U, D, 'n', { ids: [] }), []);
      assert.deepEqual(await s.pep.trim(U, D, 'n', 2), ['p', 'q']);
      assert.deepEqual(await s.pep.trim(U, D, 'n', 2), []);
      assert.deepEqual((await s.pep.items(U, D, 'n')).map((i) => i.id), ['r', 's']);
      assert.deepEqual(await s.pep.items(U, D, 'other'), []);
    }));

  test('concurrent publishes to one node keep max_items exact', () =>
    withStorage(open, async (s) => {
      await Promise.all(Array.from({ length: 12 }, (_, i) => s.pep.publish(U, D, 'n', item(`i${i}`, i), 5)));
      assert.equal((await s.pep.items(U, D, 'n')).length, 5);
    }));

  test('retract and purge remove items; retract says whether there was one', () =>
    withStorage(open, async (s) => {
      for (const id of ['a', 'b', 'c']) await s.pep.publish(U, D, 'n', item(id), 10);
      assert.equal(await s.pep.retract(U, D, 'n', 'b'), true);
      assert.equal(await s.pep.retract(U, D, 'n', 'b'), false);
      assert.deepEqual((await s.pep.items(U, D, 'n')).map((i) => i.id), ['a', 'c']);
      await s.pep.purge(U, D, 'n');
      assert.deepEqual(await s.pep.items(U, D, 'n'), []);
    }));

  test('affiliations are ordered by JID; null removes one', () =>
    withStorage(open, async (s) => {
      await s.pep.createNode(U, D, 'n', {});
      await s.pep.setAffiliation(U, D, 'n', 'romeo@montague.lit', 'member');
      await s.pep.setAffiliation(U, D, 'n', 'benvolio@montague.lit', 'member');
      await s.pep.setAffiliation(U, D, 'n', 'Tybalt@capulet.lit', 'outcast');
      await s.pep.setAffiliation(U, D, 'n', 'romeo@montague.lit', 'publisher');
      assert.deepEqual(await s.pep.affiliations(U, D, 'n'), [
        { jid: 'Tybalt@capulet.lit', affiliation: 'outcast' },
        { jid: 'benvolio@montague.lit', affiliation: 'member' },
        { jid: 'romeo@montague.lit', affiliation: 'publisher' },
      ]);
      await s.pep.setAffiliation(U, D, 'n', 'benvolio@montague.lit', null);
      assert.deepEqual((await s.pep.affiliations(U, D, 'n')).map((a) => a.jid), ['Tybalt@capulet.lit', 'romeo@montague.lit']);
    }));

  test('deleting a node takes its items and affiliations; deleting the account removes everything of it', () =>
    withStorage(open, async (s) => {
      await s.accounts.create({ username: U, domain: D, credentials: {}, createdAt: 0 });
      await s.pep.createNode(U, D, 'a', {});
      await s.pep.createNode(U, D, 'b', {});
      await s.pep.createNode('romeo', D, 'a', {});
      await s.pep.publish(U, D, 'a', item('x'), 10);
      await s.pep.publish('romeo', D, 'a', item('y'), 10);
      await s.pep.setAffiliation(U, D, 'a', 'romeo@montague.lit', 'member');
      assert.equal(await s.pep.deleteNode(U, D, 'a'), true);
      assert.equal(await s.pep.deleteNode(U, D, 'a'), false);
      await s.pep.createNode(U, D, 'a', {});
      assert.deepEqual(await s.pep.items(U, D, 'a'), []);
      assert.deepEqual(await s.pep.affiliations(U, D, 'a'), []);
      await s.pep.publish(U, D, 'b', item('z'), 10);
      assert.equal(await s.deleteUser(U, D), true);
      assert.equal(await s.pep.countNodes(U, D), 0);
      assert.deepEqual(await s.pep.items(U, D, 'b'), []);
      assert.equal(await s.pep.countNodes('romeo', D), 1);
      assert.deepEqual((await s.pep.items('romeo', D, 'a')).map((i) => i.id), ['y']);
    }));
});
