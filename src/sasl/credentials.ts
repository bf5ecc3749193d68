// Stored SCRAM keys (RFC 5802 §3): the server keeps salt, iteration count, StoredKey and
// ServerKey, never the password.
import { randomBytes } from 'node:crypto';
import { digest, hashLength, hi, hmac, isScramHash } from './scram-crypto.ts';
import { saslPrepPassword } from './saslprep.ts';
import type { ScramCredentials, ScramHash } from './types.ts';

/** Matches the config default `scram_iterations`; RFC 7677 §4 asks for at least 4096. */
export const DEFAULT_SCRAM_ITERATIONS = 10000;
export const DEFAULT_SALT_LENGTH = 16;

/** Derives the keys to store for a password; the password is prepared with OpaqueString first. */
export async function deriveScramCredentials(
  password: string,
  hash: ScramHash,
  iterations: number,
  salt: Buffer = randomBytes(DEFAULT_SALT_LENGTH),
): Promise<ScramCredentials> {
  if (!isScramHash(hash)) throw new RangeError(`unknown SCRAM hash ${String(hash)}`);
  if (!Number.isSafeInteger(iterations) || iterations < 1) throw new RangeError('iterations must be a positive integer');
  if (salt.length === 0) throw new RangeError('salt must not be empty');
  const salted = await hi(hash, saslPrepPassword(password), salt, iterations);
  // RFC 5802 §3: ClientKey, StoredKey := H(ClientKey), ServerKey.
  const clientKey = hmac(hash, salted, 'Client Key');
  return {
    hash,
    salt: salt.toString('base64'),
    iterations,
    storedKey: digest(hash, clientKey).toString('base64'),
    serverKey: hmac(hash, salted, 'Server Key').toString('base64'),
  };
}

/** Per-process secret for fake credentials: stable within a process, unknowable outside it. */
const FAKE_SECRET = randomBytes(32);

/**
 * Credentials for a username that has none. RFC 5802 §9 / RFC 7677 §4: the server should not
 * reveal whether an account exists, so an unknown user gets a salt that is deterministic
 * (the same on every attempt, like a real one) and keys no proof can match in practice.
 */
export function fakeScramCredentials(
  username: string,
  hash: ScramHash,
  iterations: number,
  secret: Buffer = FAKE_SECRET,
): ScramCredentials {
  const mac = (label: string, len: number) =>
    hmac('SHA-256', secret, Buffer.from(`${label}\0${hash}\0${username}`, 'utf8')).subarray(0, len);
  // Salt length of a real account (DEFAULT_SALT_LENGTH); key lengths of the hash.
  const n = hashLength(hash);
  return {
    hash,
    salt: mac('salt', DEFAULT_SALT_LENGTH).toString('base64'),
    iterations,
    storedKey: Buffer.concat([mac('stored', 32), mac('stored2', 32)]).subarray(0, n).toString('base64'),
    serverKey: Buffer.concat([mac('server', 32), mac('server2', 32)]).subarray(0, n).toString('base64'),
  };
}
