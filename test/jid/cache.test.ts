// The normalisation caches stay bounded and evict entries that were not used recently.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LruCache } from '../../src/jid/cache.ts';

test('the cache never holds more than maxEntries', () => {
  const cache = new LruCache<number>(4, 100);
  for (let i = 0; i < 10; i++) {
    cache.set(`k${i}`, i);
    assert.ok(cache.size <= 4);
  }
  assert.equal(cache.size, 4);
  assert.equal(cache.get('k6'), 6); // the last maxEntries insertions are all still there
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

test('an entry used again and again survives a stream of one-off keys', () => {
  const cache = new LruCache<number>(8, 100);
  cache.set('hot', 1);
  for (let i = 0; i < 1000; i++) {
    cache.set(`cold${i}`, i);
    if (i % 3 === 0) assert.equal(cache.get('hot'), 1);
    assert.ok(cache.size <= 8);
  }
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
