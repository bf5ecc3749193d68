// Stored SCRAM keys (RFC 5802 §3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { deriveScramCredentials } from '../../src/sasl/index.ts';

test('deriveScramCredentials: keys match an independent computation for every hash', async () => {
  const salt = Buffer.from('0011223344556677', 'hex');
  for (const [hash, node, len] of [['SHA-1', 'sha1', 20], ['SHA-256', 'sha256', 32], ['SHA-512', 'sha512', 64]] as const) {
    const c = await deriveScramCredentials('pencil', hash, 4096, salt);
    const salted = pbkdf2Sync('pencil', salt, 4096, len, node);
    const clientKey = createHmac(node, salted).update('Client Key').digest();
    assert.deepEqual(c, {
      hash,
      salt: salt.toString('base64'),
      iterations: 4096,
      storedKey: createHash(node).update(clientKey).digest('base64'),
      serverKey: createHmac(node, salted).update('Server Key').digest('base64'),
    });
  }
});

test('deriveScramCredentials: a fresh 16-byte salt each time by default', async () => {
  const a = await deriveScramCredentials('pw', 'SHA-256', 1);
  const b = await deriveScramCredentials('pw', 'SHA-256', 1);
  assert.equal(Buffer.from(a.salt, 'base64').length, 16);
  assert.notEqual(a.salt, b.salt);
  assert.notEqual(a.storedKey, b.storedKey);
});

test('deriveScramCredentials: the password is prepared (U+00A0 and U+0020 give the same keys)', async () => {
  const salt = Buffer.alloc(16, 3);
  assert.deepEqual(await deriveScramCredentials('a\u00a0b', 'SHA-1', 10, salt), await deriveScramCredentials('a b', 'SHA-1', 10, salt));
});

test('deriveScramCredentials: rejects bad iterations and unpreparable passwords', async () => {
  await assert.rejects(deriveScramCredentials('pw', 'SHA-1', 0), RangeError);
  await assert.rejects(deriveScramCredentials('pw', 'SHA-1', 1.5), RangeError);
  await assert.rejects(deriveScramCredentials('', 'SHA-1', 10));
  await assert.rejects(deriveScramCredentials('a\u0000', 'SHA-1', 10));
});
