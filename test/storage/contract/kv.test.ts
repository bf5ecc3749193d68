// KeyValueStore contract: per user and per store documents, null deletes, keys in order,
// deleteUser clears every store of one user only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contract, withStorage } from './drivers.ts';

contract('key/value store', (open) => {
  test('get is null until set; set replaces; null deletes', () =>
    withStorage(open, async (s) => {
      assert.equal(await s.kv.get('u', 'd', 'private', 'k'), null);
      await s.kv.set('u', 'd', 'private', 'k', '<x/>');
      assert.equal(await s.kv.get('u', 'd', 'private', 'k'), '<x/>');
      await s.kv.set('u', 'd', 'private', 'k', '<y>é ✓</y>');
      assert.equal(await s.kv.get('u', 'd', 'private', 'k'), '<y>é ✓</y>');
      await s.kv.set('u', 'd', 'private', 'k', null);
      assert.equal(await s.kv.get('u', 'd', 'private', 'k'), null);
      await s.kv.set('u', 'd', 'private', 'k', null); // deleting nothing is fine
      await s.kv.set('u', 'd', 'private', 'empty', '');
      assert.equal(await s.kv.get('u', 'd', 'private', 'empty'), '', 'an empty document is not a missing one');
    }));

  test('documents are scoped by user, domain and store; keys come back ordered', () =>
    withStorage(open, async (s) => {
      for (const k of ['b', 'a', 'C', 'a:b', 'a.b']) await s.kv.set('u', 'd', 'prefs', k, k);
      await s.kv.set('u', 'd', 'other', 'z', '1');
      await s.kv.set('v', 'd', 'prefs', 'x', '1');
      await s.kv.set('u', 'e', 'prefs', 'y', '1');
      assert.deepEqual(await s.kv.keys('u', 'd', 'prefs'), ['C', 'a', 'a.b', 'a:b', 'b']);
      assert.deepEqual(await s.kv.keys('u', 'd', 'other'), ['z']);
      assert.deepEqual(await s.kv.keys('u', 'd', 'none'), []);
      assert.equal(await s.kv.get('v', 'd', 'prefs', 'b'), null);
    }));

  test('deleteUser removes every store of that user and nobody else', () =>
    withStorage(open, async (s) => {
      await s.kv.set('u', 'd', 'a', 'k', '1');
      await s.kv.set('u', 'd', 'b', 'k', '1');
      await s.kv.set('u', 'e', 'a', 'k', '1');
      await s.kv.set('v', 'd', 'a', 'k', '1');
      await s.kv.deleteUser('u', 'd');
      assert.deepEqual(await s.kv.keys('u', 'd', 'a'), []);
      assert.deepEqual(await s.kv.keys('u', 'd', 'b'), []);
      assert.equal(await s.kv.get('u', 'e', 'a', 'k'), '1');
      assert.equal(await s.kv.get('v', 'd', 'a', 'k'), '1');
    }));
});
