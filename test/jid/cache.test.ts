// The normalisation caches stay bounded and evict the least recently used entry.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LruCache } from '../../src/jid/cache.ts';

test('the cache never holds more than maxEntries', () => {
  const cache = new LruCache<number>(3, 100);
  for (let i = 0; i < 10; i++) cache.set(`k${i}`, i);
  assert.equal(cache.size, 3);
  assert.equal(cache.get('k9'), 9);
  assert.equal(cache.get('k0'), undefined);
});

test('a hit makes an entry the most recently used', () => {
  const cache = new LruCache<number>(2, 100);
  cache.set('a', 1);
  cache.set('b', 2);
  cache.get('a');
  cache.set('c', 3);
  assert.equal(cache.get('a'), 1);
  assert.equal(cache.get('b'), undefined);
});

test('long keys are not stored', () => {
  const cache = new LruCache<number>(2, 4);
  cache.set('short', 1);
  assert.equal(cache.size, 0);
  let calls = 0;
  cache.getOrCompute('abc', () => ++calls);
  cache.getOrCompute('abc', () => ++calls);
  assert.equal(calls, 1);
});

test('failed computations are not cached', () => {
  const cache = new LruCache<number>(2, 100);
  assert.throws(() => cache.getOrCompute('x', () => { throw new Error('no'); }));
  assert.equal(cache.size, 0);
});
