import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressKey, ConnectionGuard } from '../../src/net/connection-guard.ts';

test('IPv6 addresses are counted per /64, IPv4-mapped as IPv4', () => {
  assert.equal(addressKey('2001:db8:1:2:aaaa::1'), addressKey('2001:db8:1:2:bbbb::2'));
  assert.notEqual(addressKey('2001:db8:1:2::1'), addressKey('2001:db8:1:3::1'));
  assert.equal(addressKey('::ffff:127.0.0.1'), '127.0.0.1');
  assert.equal(addressKey('::1'), '0:0:0:0::/64');
});

test('per-IP and total concurrency limits; release frees a slot', () => {
  const g = new ConnectionGuard({ maxTotal: 3, maxPerIp: 2, ratePerIp: 1000, burstPerIp: 1000 });
  const a1 = g.admit('10.0.0.1');
  const a2 = g.admit('10.0.0.1');
  assert.ok('release' in a1 && 'release' in a2);
  assert.deepEqual(g.admit('10.0.0.1'), { refused: 'per_ip' });
  const b1 = g.admit('10.0.0.2');
  assert.ok('release' in b1);
  assert.deepEqual(g.admit('10.0.0.3'), { refused: 'total' });
  if ('release' in a1) a1.release();
  if ('release' in a1) a1.release(); // idempotent
  assert.ok('release' in g.admit('10.0.0.3'));
});

test('connection rate per IP', () => {
  const g = new ConnectionGuard({ maxTotal: 100, maxPerIp: 100, ratePerIp: 1, burstPerIp: 3 });
  for (let i = 0; i < 3; i++) assert.ok('release' in g.admit('10.0.0.9'));
  assert.deepEqual(g.admit('10.0.0.9'), { refused: 'rate' });
  assert.ok('release' in g.admit('10.0.0.10'));
});
