// CapsStore contract (XEP-0115 §5.4 cache of verified verification strings): features by
// (hash, ver), bounded, least recently used (put or get) evicted first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contract, sleep, withStorage } from './drivers.ts';

contract('caps store', (open) => {
  test('get is null for an unknown ver; put stores features in order; put again replaces them', () =>
    withStorage(open, async (s) => {
      assert.equal(await s.caps.get('sha-1', 'QgayPKawpkPSDYmwT/WM94uAlu0='), null);
      await s.caps.put('sha-1', 'QgayPKawpkPSDYmwT/WM94uAlu0=', ['http://jabber.org/protocol/muc', 'http://jabber.org/protocol/caps'], 10);
      assert.deepEqual(await s.caps.get('sha-1', 'QgayPKawpkPSDYmwT/WM94uAlu0='), ['http://jabber.org/protocol/muc', 'http://jabber.org/protocol/caps']);
      assert.equal(await s.caps.get('sha-256', 'QgayPKawpkPSDYmwT/WM94uAlu0='), null, 'the hash is part of the key');
      await s.caps.put('sha-1', 'QgayPKawpkPSDYmwT/WM94uAlu0=', ['urn:x'], 10);
      assert.deepEqual(await s.caps.get('sha-1', 'QgayPKawpkPSDYmwT/WM94uAlu0='), ['urn:x']);
    }));

  test('keeps the most recently used entries within its bound (a get counts as a use)', () =>
    withStorage(open, async (s) => {
      // Pauses keep the uses in distinct milliseconds, so a clock-based recency has an order too.
      await s.caps.put('sha-1', 'v1', ['a'], 2);
      await sleep(5);
      await s.caps.put('sha-1', 'v2', ['b'], 2);
      await sleep(5);
      assert.deepEqual(await s.caps.get('sha-1', 'v1'), ['a']);
      await sleep(5);
      await s.caps.put('sha-1', 'v3', ['c'], 2);
      assert.equal(await s.caps.get('sha-1', 'v2'), null);
      assert.deepEqual(await s.caps.get('sha-1', 'v1'), ['a']);
      assert.deepEqual(await s.caps.get('sha-1', 'v3'), ['c']);
      await sleep(5);
      await s.caps.put('sha-1', 'v4', ['d'], 1);
      assert.equal(await s.caps.get('sha-1', 'v1'), null);
      assert.equal(await s.caps.get('sha-1', 'v3'), null);
      assert.deepEqual(await s.caps.get('sha-1', 'v4'), ['d']);
    }));
});
