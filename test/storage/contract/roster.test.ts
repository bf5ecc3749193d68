// RosterStore contract (RFC 6121 §2, §2.6, §3.1.3): items in the order they were added (updates
// keep their place), a per-user version that every item change increases, pending inbound
// subscription requests oldest first, each change applied atomically with its version.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RosterEntry } from '../../../src/storage/types.ts';
import { contract, withStorage } from './drivers.ts';

const item = (jid: string, extra: Partial<RosterEntry> = {}): RosterEntry => ({ jid, subscription: 'none', ask: false, approved: false, groups: [], ...extra });

contract('roster store', (open) => {
  test('items keep the order they were added in; updates keep their place; every item change bumps the version', () =>
    withStorage(open, async (s) => {
      assert.equal(await s.roster.version('u', 'd'), 0);
      assert.equal(await s.roster.update('u', 'd', 'z@x', { item: item('z@x') }), 1);
      assert.equal(await s.roster.update('u', 'd', 'a@x', { item: item('a@x', { name: 'A', groups: ['g1', 'g0'] }) }), 2);
      assert.equal(await s.roster.update('u', 'd', 'm@x', { item: item('m@x') }), 3);
      assert.equal(await s.roster.update('u', 'd', 'z@x', { item: item('z@x', { subscription: 'both' }) }), 4);
      assert.deepEqual((await s.roster.items('u', 'd')).map((i) => i.jid), ['z@x', 'a@x', 'm@x']);
      assert.deepEqual(await s.roster.get('u', 'd', 'a@x'), item('a@x', { name: 'A', groups: ['g1', 'g0'] }));
      assert.equal((await s.roster.get('u', 'd', 'z@x'))?.subscription, 'both');
      assert.equal(await s.roster.get('u', 'd', 'nobody@x'), null);
      assert.equal(await s.roster.update('u', 'd', 'a@x', { item: null }), 5);
      assert.equal(await s.roster.update('u', 'd', 'a@x', { item: null }), 5, 'removing nothing does not bump');
      assert.equal(await s.roster.count('u', 'd'), 2);
      assert.equal(await s.roster.version('u', 'd'), 5);
      // A removed contact added again goes to the end.
      await s.roster.update('u', 'd', 'a@x', { item: item('a@x') });
      assert.deepEqual((await s.roster.items('u', 'd')).map((i) => i.jid), ['z@x', 'm@x', 'a@x']);
      assert.deepEqual(await s.roster.items('v', 'd'), []);
      assert.equal(await s.roster.version('v', 'd'), 0);
    }));

  test('every field round-trips; a missing name stays absent and an update can clear it', () =>
    withStorage(open, async (s) => {
      const full = item('r@m', { name: 'Romeo ✓', subscription: 'from', ask: true, approved: true, groups: ['Friends', 'Ünïcode', ''] });
      await s.roster.update('u', 'd', 'r@m', { item: full });
      assert.deepEqual(await s.roster.get('u', 'd', 'r@m'), full);
      await s.roster.update('u', 'd', 'r@m', { item: item('r@m', { subscription: 'to' }) });
      const got = await s.roster.get('u', 'd', 'r@m');
      assert.deepEqual(got, item('r@m', { subscription: 'to' }));
      assert.equal('name' in got!, false);
    }));

  test('pending requests: oldest first, replaced in place, cleared; outside items and the version', () =>
    withStorage(open, async (s) => {
      await s.roster.update('u', 'd', 'b@x', { pendingIn: '<presence type="subscribe" from="b@x"/>' });
      await s.roster.update('u', 'd', 'a@x', { pendingIn: '<presence type="subscribe" from="a@x"/>' });
      await s.roster.update('u', 'd', 'c@x', { pendingIn: '<presence type="subscribe" from="c@x"/>' });
      await s.roster.update('u', 'd', 'b@x', { pendingIn: '<presence type="subscribe" from="b@x"><status>again</status></presence>' });
      assert.equal(await s.roster.version('u', 'd'), 0);
      assert.deepEqual(await s.roster.items('u', 'd'), []);
      assert.deepEqual((await s.roster.pending('u', 'd')).map((p) => p.jid), ['b@x', 'a@x', 'c@x']);
      assert.match((await s.roster.pendingFrom('u', 'd', 'b@x'))!, /again/);
      assert.equal(await s.roster.pendingFrom('u', 'd', 'z@x'), null);
      // One change: the item appears and the request goes, together.
      assert.equal(await s.roster.update('u', 'd', 'b@x', { item: item('b@x', { subscription: 'from' }), pendingIn: null }), 1);
      assert.equal(await s.roster.pendingFrom('u', 'd', 'b@x'), null);
      assert.deepEqual(await s.roster.items('u', 'd'), [item('b@x', { subscription: 'from' })]);
      assert.deepEqual(await s.roster.pending('u', 'd'), [
        { jid: 'a@x', stanza: '<presence type="subscribe" from="a@x"/>' },
        { jid: 'c@x', stanza: '<presence type="subscribe" from="c@x"/>' },
      ]);
      await s.roster.update('u', 'd', 'a@x', { pendingIn: null });
      await s.roster.update('u', 'd', 'a@x', { pendingIn: '<presence type="subscribe" from="a@x"/>' });
      assert.deepEqual((await s.roster.pending('u', 'd')).map((p) => p.jid), ['c@x', 'a@x'], 'a new request after a cleared one is the newest');
    }));

  test('concurrent changes each get their own version and none is lost', () =>
    withStorage(open, async (s) => {
      const versions = await Promise.all(Array.from({ length: 10 }, (_, i) => s.roster.update('u', 'd', `c${i}@x`, { item: item(`c${i}@x`) })));
      assert.deepEqual([...versions].sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      assert.equal(await s.roster.count('u', 'd'), 10);
      assert.equal(await s.roster.version('u', 'd'), 10);
      // The order of the list is the order in which the versions were given.
      const byVersion = versions.map((v, i) => [v, `c${i}@x`] as const).sort((a, b) => a[0] - b[0]).map(([, j]) => j);
      assert.deepEqual((await s.roster.items('u', 'd')).map((i) => i.jid), byVersion);
    }));

  test('deleting the account removes its roster, version and pending requests, not others', () =>
    withStorage(open, async (s, o) => {
      await s.accounts.create({ username: 'u', domain: 'd', credentials: {}, createdAt: 0 });
      await s.roster.update('u', 'd', 'a@x', { item: item('a@x'), pendingIn: '<presence/>' });
      await s.roster.update('v', 'd', 'a@x', { item: item('a@x') });
      const other = await o.reopen();
      assert.equal(await other.roster.version('u', 'd'), 1, 'durable before resolve');
      assert.equal(await s.deleteUser('u', 'd'), true);
      assert.deepEqual(await s.roster.items('u', 'd'), []);
      assert.deepEqual(await s.roster.pending('u', 'd'), []);
      assert.equal(await s.roster.version('u', 'd'), 0);
      assert.equal(await s.roster.count('v', 'd'), 1);
    }));
});
