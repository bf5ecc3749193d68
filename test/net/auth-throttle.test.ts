import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuthThrottle } from '../../src/accounts/auth-throttle.ts';

test('failures slow the next answers exponentially, capped, and decay', () => {
  let now = 0;
  const t = new AuthThrottle(250, 2000, 60_000, () => now);
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map(() => t.failed('192.0.2.1')), [0, 0, 250, 500, 1000, 2000, 2000]);
  assert.equal(t.failed('192.0.2.2'), 0, 'other addresses are not affected');
  now += 61_000;
  assert.equal(t.failed('192.0.2.1'), 0, 'decays after a quiet period');
});

test('success clears the record', () => {
  const t = new AuthThrottle();
  for (let i = 0; i < 5; i++) t.failed('192.0.2.1');
  t.succeeded('192.0.2.1');
  assert.equal(t.failed('192.0.2.1'), 0);
});
