// SCRAM primitives (RFC 5802 §2.2, §3), parameterised by hash (RFC 7677 for SHA-256).
import { createHash, createHmac, pbkdf2, timingSafeEqual } from 'node:crypto';
import type { ScramHash } from './types.ts';

const NODE_DIGEST: Record<ScramHash, { digest: string; length: number }> = {
  'SHA-1': { digest: 'sha1', length: 20 },
  'SHA-256': { digest: 'sha256', length: 32 },
  'SHA-512': { digest: 'sha512', length: 64 },
};

export const SCRAM_HASHES: readonly ScramHash[] = ['SHA-512', 'SHA-256', 'SHA-1'];

export function isScramHash(s: string): s is ScramHash {
  return Object.hasOwn(NODE_DIGEST, s);
}

export function hashLength(hash: ScramHash): number {
  return NODE_DIGEST[hash].length;
}

/** RFC 5802 §2.2 H(str). */
export function digest(hash: ScramHash, data: Buffer): Buffer {
  return createHash(NODE_DIGEST[hash].digest).update(data).digest();
}

/** RFC 5802 §2.2 HMAC(key, str). */
export function hmac(hash: ScramHash, key: Buffer, data: Buffer | string): Buffer {
  return createHmac(NODE_DIGEST[hash].digest, key).update(data).digest();
}

/** RFC 5802 §2.2 Hi(str, salt, i) is PBKDF2 with HMAC as the PRF and dkLen = hash length. */
export function hi(hash: ScramHash, password: string, salt: Buffer, iterations: number): Promise<Buffer> {
  const { digest: d, length } = NODE_DIGEST[hash];
  return new Promise((resolve, reject) => {
    pbkdf2(Buffer.from(password, 'utf8'), salt, iterations, length, d, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] ^ b[i];
  return out;
}

/** Constant-time equality (RFC 5802 §9 leaves timing to implementations; a proof check must not leak). */
export function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
