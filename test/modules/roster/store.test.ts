// The SQLite RosterStore: stable order, atomic changes with the version, pending requests, and
// account deletion removing it all.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSqliteStorage } from '../../../src/storage/sqlite/index.ts';
import type { RosterEntry } from '../../../src/storage/types.ts';

const item = (jid: string, extra: Partial<RosterEntry> = {}): RosterEntry => ({ jid, subscription: 'none', ask: false, approved: false, groups: [], ...extra });

describe('SQLite roster store', () => {
  test('items keep the order they were added in; updates keep their place; every item change bumps the version', async () => {
    const s = createSqliteStorage(':memory:');
    try {
      assert.equal(await s.roster.version('u', 'd'), 0);
      assert.equal(await s.roster.update('u', 'd', 'z@x', { item: item('z@x') }), 1);
      assert.equal(await s.roster.update('u', 'd', 'a@x', { item: item('a@x', { name: 'A', groups: ['g1', 'g0'] }) }), 2);
      assert.equal(await s.roster.update('u', 'd', 'm@x', { item: item('m@x') }), 3);
      assert.equal(await s.roster.update('u', 'd', 'z@x', { item: item('z@x', { subscription: 'both' }) }), 4);
      assert.deepEqual((await s.roster.items('u', 'd')).map((i) => i.jid), ['z@x', 'a@x', 'm@x']);
      assert.deepEqual(await s.roster.get('u', 'd', 'a@x'), item('a@x', { name: 'A', groups: ['g1', 'g0'] }));
      assert.equal((await s.roster.get('u', 'd', 'z@x'))?.subscription, 'both');
      // Removing bumps the version; removing nothing does not.
      assert.equal(await s.roster.update('u', 'd', 'a@x', { item: null }), 5);
      assert.equal(await s.roster.update('u', 'd', 'a@x', { item: null }), 5);
      assert.equal(await s.roster.count('u', 'd'), 2);
      // Another user's roster is separate.
      assert.deepEqual(await s.roster.items('v', 'd'), []);
    } finally {
      await s.close();
    }
  });

  test('items() gives whole entries in roster order, read in index order without a sort', async () => {
    const s = createSqliteStorage(':memory:');
    try {
      const a = item('a@x', { name: 'A & <b>', subscription: 'to', ask: true, groups: ['g1', 'g0'] });
      const b = item('b@x', { subscription: 'from', approved: true });
      await s.roster.update('u', 'd', 'b@x', { item: b });
      await s.roster.update('u', 'd', 'a@x', { item: a });
      assert.deepEqual(await s.roster.items('u', 'd'), [b, a]);
      assert.equal('name' in (await s.roster.items('u', 'd'))[0], false);
      const plan = (s.db.prepare("EXPLAIN QUERY PLAN SELECT jid FROM roster_items WHERE domain = 'd' AND username = 'u' ORDER BY position, jid").all() as { detail: string }[]).map((r) => r.detail).join(' | ');
      assert.match(plan, /roster_items_order/, plan);
      assert.doesNotMatch(plan, /TEMP B-TREE/, plan);
    } finally {
      await s.close();
    }
  });

  test('pending requests: set, replaced in place, cleared; hidden from items and the version', async () => {
    const s = createSqliteStorage(':memory:');
    try {
      await s.roster.update('u', 'd', 'b@x', { pendingIn: '<presence type="subscribe" from="b@x"/>' });
      await s.roster.update('u', 'd', 'a@x', { pendingIn: '<presence type="subscribe" from="a@x"/>' });
      await s.roster.update('u', 'd', 'b@x', { pendingIn: '<presence type="subscribe" from="b@x"><status>again</status></presence>' });
      assert.equal(await s.roster.version('u', 'd'), 0);
      assert.deepEqual((await s.roster.pending('u', 'd')).map((p) => p.jid), ['b@x', 'a@x']);
      assert.match((await s.roster.pendingFrom('u', 'd', 'b@x'))!, /again/);
      await s.roster.update('u', 'd', 'b@x', { item: item('b@x', { subscription: 'from' }), pendingIn: null });
      assert.equal(await s.roster.pendingFrom('u', 'd', 'b@x'), null);
      assert.deepEqual(await s.roster.items('u', 'd'), [item('b@x', { subscription: 'from' })]);
    } finally {
      await s.close();
    }
  });

  test('deleting the account removes its roster, version and pending requests', async () => {
    const s = createSqliteStorage(':memory:');
    try {
      await s.accounts.create({ username: 'u', domain: 'd', credentials: {}, createdAt: 0 });
      await s.roster.update('u', 'd', 'a@x', { item: item('a@x'), pendingIn: '<presence/>' });
      assert.equal(await s.deleteUser('u', 'd'), true);
      assert.deepEqual(await s.roster.items('u', 'd'), []);
      assert.deepEqual(await s.roster.pending('u', 'd'), []);
      assert.equal(await s.roster.version('u', 'd'), 0);
    } finally {
      await s.close();
    }
  });
});
