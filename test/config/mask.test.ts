import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskSecrets } from '../../src/config/mask.ts';

test('secrets, secret tables and passwords in URLs are masked; file paths are not', () => {
  const out = maskSecrets({
    s2s: { dialback_secret: 'abc', port: 5269 },
    components: { secrets: { 'bot.example': 'hunter2' } },
    storage: { url: 'postgres://parley:pa55@db.example/parley' },
    tls: { key: '/etc/parley/key.pem' },
  }) as Record<string, Record<string, unknown>>;
  assert.equal(out.s2s.dialback_secret, '********');
  assert.equal(out.s2s.port, 5269);
  assert.deepEqual(out.components.secrets, { 'bot.example': '********' });
  assert.equal(out.storage.url, 'postgres://parley:********@db.example/parley');
  assert.equal(out.tls.key, '/etc/parley/key.pem');
});
