// The quic-ack duplicate backstop's set (docs/quic.md §5.4): (full JID, origin-id) pairs are
// remembered for the window and no longer, and the set never grows past its cap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OriginIdWindow } from '../../../src/net/quic/origin-dedupe.ts';

test('a pair is known for the window, per full JID, then forgotten', () => {
  let now = 1_000_000;
  const w = new OriginIdWindow(300_000, 100, () => now);
  w.record('alice@example.org/phone', 'o1');
  assert.equal(w.has('alice@example.org/phone', 'o1'), true);
  assert.equal(w.has('alice@example.org/laptop', 'o1'), false, 'another resource is another sender');
  assert.equal(w.has('alice@example.org/phone', 'o2'), false);
  now += 299_999;
  assert.equal(w.has('alice@example.org/phone', 'o1'), true);
  now += 1;
  assert.equal(w.has('alice@example.org/phone', 'o1'), false, 'gone after 5 minutes');
  assert.equal(w.size, 0);
});

test('at the cap the oldest pair goes first and is counted', () => {
  let now = 0;
  const w = new OriginIdWindow(300_000, 3, () => now);
  for (const id of ['a', 'b', 'c', 'd']) {
    w.record('u@x/r', id);
    now += 10;
  }
  assert.equal(w.size, 3);
  assert.equal(w.evicted, 1);
  assert.equal(w.has('u@x/r', 'a'), false);
  assert.equal(w.has('u@x/r', 'd'), true);
  w.record('u@x/r', 'd');
  assert.equal(w.evicted, 1, 'recording a known pair again changes nothing');
});
