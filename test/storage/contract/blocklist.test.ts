// BlocklistStore contract (XEP-0191): JIDs in the order they were blocked, add/remove report what
// changed, clear returns what was there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contract, withStorage } from './drivers.ts';

contract('blocklist store', (open) => {
  test('list keeps blocking order (not alphabetical); add returns only the new ones, in request order', () =>
    withStorage(open, async (s) => {
      assert.deepEqual(await s.blocklist.list('u', 'd'), []);
      assert.deepEqual(await s.blocklist.add('u', 'd', ['zed@x', 'amy@x']), ['zed@x', 'amy@x']);
      assert.deepEqual(await s.blocklist.add('u', 'd', ['amy@x', 'mia@x', 'mia@x', 'bob@x']), ['mia@x', 'bob@x']);
      assert.deepEqual(await s.blocklist.add('u', 'd', []), []);
      assert.deepEqual(await s.blocklist.list('u', 'd'), ['zed@x', 'amy@x', 'mia@x', 'bob@x']);
      assert.deepEqual(await s.blocklist.list('v', 'd'), []);
    }));

  test('remove returns what was blocked; a re-blocked JID goes to the end', () =>
    withStorage(open, async (s) => {
      await s.blocklist.add('u', 'd', ['a@x', 'b@x', 'c@x']);
      assert.deepEqual(await s.blocklist.remove('u', 'd', ['c@x', 'nope@x', 'a@x']), ['c@x', 'a@x']);
      assert.deepEqual(await s.blocklist.list('u', 'd'), ['b@x']);
      await s.blocklist.add('u', 'd', ['a@x']);
      assert.deepEqual(await s.blocklist.list('u', 'd'), ['b@x', 'a@x']);
    }));

  test('clear returns the list in order and empties it, for that user only; deleteUser clears too', () =>
    withStorage(open, async (s) => {
      await s.blocklist.add('u', 'd', ['q@x', 'p@x']);
      await s.blocklist.add('v', 'd', ['q@x']);
      assert.deepEqual(await s.blocklist.clear('u', 'd'), ['q@x', 'p@x']);
      assert.deepEqual(await s.blocklist.clear('u', 'd'), []);
      assert.deepEqual(await s.blocklist.list('v', 'd'), ['q@x']);
      await s.deleteUser('v', 'd');
      assert.deepEqual(await s.blocklist.list('v', 'd'), []);
    }));
});
