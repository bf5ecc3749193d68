// MembershipStore contract (XEP-0345): one application per account, versions, a private part
// replaced or dropped with each submission, status changes, deleted with the account.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contract, withStorage } from './drivers.ts';

contract('membership application store', (open) => {
  test('submit creates version 1; a resubmission is version 2 with its own private part; history kept', () =>
    withStorage(open, async (s) => {
      assert.equal(await s.membership.get('ann', 'd'), null);
      const first = await s.membership.submit('ann', 'd', '{"v":1}', 'secret-1', 'submitted', 1000);
      assert.deepEqual(first, { username: 'ann', domain: 'd', status: 'submitted', version: 1, publicData: '{"v":1}', createdAt: 1000, updatedAt: 1000 });
      assert.equal(await s.membership.privateData('ann', 'd'), 'secret-1');
      await s.membership.setStatus('ann', 'd', 'voting', 1500);
      const second = await s.membership.submit('ann', 'd', '{"v":2}', null, 'voting', 2000);
      assert.deepEqual([second.version, second.status, second.createdAt, second.updatedAt, second.publicData], [2, 'voting', 1000, 2000, '{"v":2}']);
      assert.equal(await s.membership.privateData('ann', 'd'), null, 'a submission without private data drops the old one');
      assert.deepEqual(await s.membership.versions('ann', 'd'), [{ version: 1, publicData: '{"v":1}', createdAt: 1000 }, { version: 2, publicData: '{"v":2}', createdAt: 2000 }]);
    }));

  test('list is per domain, oldest first; setStatus reports a missing application', () =>
    withStorage(open, async (s) => {
      await s.membership.submit('zed', 'd', '{}', null, 'submitted', 10);
      await s.membership.submit('amy', 'd', '{}', 'p', 'submitted', 20);
      await s.membership.submit('bob', 'other', '{}', null, 'submitted', 5);
      assert.deepEqual((await s.membership.list('d')).map((a) => a.username), ['zed', 'amy']);
      assert.equal(await s.membership.setStatus('amy', 'd', 'accepted', 30), true);
      assert.equal((await s.membership.get('amy', 'd'))!.status, 'accepted');
      assert.equal(await s.membership.setStatus('nobody', 'd', 'accepted', 30), false);
    }));

  test('durable across connections, and deleted with the account', () =>
    withStorage(open, async (s, o) => {
      await s.membership.submit('ann', 'd', '{"x":1}', 'legal', 'submitted', 1);
      const again = await o.reopen();
      assert.equal((await again.membership.get('ann', 'd'))!.publicData, '{"x":1}');
      assert.equal(await again.membership.privateData('ann', 'd'), 'legal');
      await s.deleteUser('ann', 'd');
      assert.equal(await s.membership.get('ann', 'd'), null);
      assert.equal(await s.membership.privateData('ann', 'd'), null);
      assert.deepEqual(await s.membership.versions('ann', 'd'), []);
    }));
});
