import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBucket } from '../../src/net/token-bucket.ts';

test('a burst passes, then requests wait in proportion to the debt', () => {
  let now = 0;
  const b = new TokenBucket(10, 5, () => now);
  for (let i = 0; i < 5; i++) assert.equal(b.take(), 0);
  assert.equal(b.take(), 100); // one token short at 10/s
  now += 100;
  assert.equal(b.take(), 100); // refilled one, took one more
  now += 10_000;
  assert.equal(b.take(5), 0); // refills to the burst only
  assert.ok(b.take() > 0);
});
