// Pure decisions of the rate limits and the failed-login backoff (stream/limits*.ts,
// net/rate-limit-peers.ts), on a fake clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReadGate, StreamRateLimits } from '../../src/stream/limits.ts';
import { LoginBackoff } from '../../src/stream/limits-auth.ts';
import { PeerRateLimits } from '../../src/net/rate-limit-peers.ts';

const settings = { stanzaRate: 10, stanzaBurst: 5, byteRate: 1000, byteBurst: 2000 };

test('stanzas: the burst passes, then refusals, then close once the debt is a whole burst deep', () => {
  let now = 0;
  const l = new StreamRateLimits(settings, () => now);
  const kinds = Array.from({ length: 12 }, () => l.stanza().kind);
  assert.deepEqual(kinds, ['ok', 'ok', 'ok', 'ok', 'ok', 'refuse', 'refuse', 'refuse', 'refuse', 'refuse', 'close', 'close']);
  now += 5000; // the debt is paid and the bucket refills
  assert.equal(l.stanza().kind, 'ok');
  assert.equal(l.refusedInRow, 0);
});

test('stanzas: a refusal says how long to wait', () => {
  const now = 0;
  const l = new StreamRateLimits(settings, () => now);
  for (let i = 0; i < 5; i++) l.stanza();
  const v = l.stanza();
  assert.deepEqual(v, { kind: 'refuse', waitMs: 100 });
});

test('bytes: never refused, only a pause proportional to the debt', () => {
  let now = 0;
  const l = new StreamRateLimits(settings, () => now);
  assert.equal(l.bytesRead(2000), 0);
  assert.equal(l.bytesRead(500), 500);
  now += 500;
  assert.equal(l.bytesRead(0), 0);
});

test('read gate: reading resumes only when no hold remains', async () => {
  const events: string[] = [];
  const g = new ReadGate(() => events.push('pause'), () => events.push('resume'));
  g.hold('backlog');
  g.holdFor('rate', 20);
  g.release('backlog');
  assert.deepEqual(events, ['pause']);
  await new Promise((r) => setTimeout(r, 60));
  assert.deepEqual(events, ['pause', 'resume']);
  g.release('rate'); // already released: no second resume
  assert.deepEqual(events, ['pause', 'resume']);
  g.dispose();
});

test('login backoff: an address failing on an account is refused for an exponentially growing time', () => {
  let now = 0;
  const b = new LoginBackoff({ baseMs: 100, maxMs: 1000, freePerAddress: 2, freePerAccount: 100 }, () => now);
  b.failed('alice', '192.0.2.1');
  b.failed('alice', '192.0.2.1');
  assert.equal(b.refusedFor('alice', '192.0.2.1'), 0, 'typos are free');
  b.failed('alice', '192.0.2.1');
  assert.equal(b.refusedFor('alice', '192.0.2.1'), 100);
  b.failed('alice', '192.0.2.1');
  assert.equal(b.refusedFor('alice', '192.0.2.1'), 200);
  for (let i = 0; i < 10; i++) b.failed('alice', '192.0.2.1');
  assert.equal(b.refusedFor('alice', '192.0.2.1'), 1000, 'capped');
  assert.equal(b.refusedFor('alice', '192.0.2.2'), 0, 'the owner elsewhere is not refused');
  assert.equal(b.refusedFor('bob', '192.0.2.1'), 0, 'other accounts are not affected');
  now += 1000;
  assert.equal(b.refusedFor('alice', '192.0.2.1'), 0, 'the backoff passes');
});

test('login backoff: failures on an account from many addresses slow the failure answers, a success resets', () => {
  const now = 0;
  const b = new LoginBackoff({ baseMs: 100, maxMs: 1000, freePerAccount: 3 }, () => now);
  const delays = Array.from({ length: 7 }, (_, i) => b.failed('alice', `198.51.100.${i}`));
  assert.deepEqual(delays, [0, 0, 0, 100, 200, 400, 800]);
  b.succeeded('alice', '203.0.113.9');
  assert.equal(b.failed('alice', '198.51.100.50'), 0);
});

test('login backoff: IPv6 addresses count per /64', () => {
  const now = 0;
  const b = new LoginBackoff({ baseMs: 100, maxMs: 1000, freePerAddress: 1 }, () => now);
  b.failed('alice', '2001:db8::1');
  b.failed('alice', '2001:db8::2');
  assert.ok(b.refusedFor('alice', '2001:db8::ffff') > 0);
  assert.equal(b.refusedFor('alice', '2001:db8:1::1'), 0);
});

test('peer limits: streams from one address share buckets; other addresses have their own', () => {
  const p = new PeerRateLimits({ ...settings, stanzaBurst: 2 });
  const a1 = p.acquire('192.0.2.7');
  const a2 = p.acquire('192.0.2.7');
  const b = p.acquire('192.0.2.8');
  assert.equal(a1.limits, a2.limits);
  assert.notEqual(a1.limits, b.limits);
  a1.limits.stanza();
  a2.limits.stanza();
  assert.equal(a1.limits.stanza().kind, 'refuse', 'the second stream used up the shared burst');
  assert.equal(b.limits.stanza().kind, 'ok');
  a1.release();
  a2.release();
  assert.equal(p.acquire('192.0.2.7').limits, a1.limits, 'reconnecting does not refill the buckets');
});
