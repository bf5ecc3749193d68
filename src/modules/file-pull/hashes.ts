// XEP-0300 hash verification: which announced algorithms we compute (Node crypto names), and the
// verdict. sha-1 and md5 never count as verification (XEP-0300 §4 "MUST NOT" rely on them).
import { createHash, type Hash } from 'node:crypto';

const SUPPORTED: Record<string, string> = {
  'sha-256': 'sha256',
  'sha-512': 'sha512',
  'sha3-256': 'sha3-256',
  'sha3-512': 'sha3-512',
  'blake2b-512': 'blake2b512',
};

export type HashResult = 'verified' | 'unverified' | 'mismatch';

/** Hashers for the supported algorithms among those announced (sha-256 always, for our own id). */
export function hashersFor(announced: Array<{ algo: string }>): Map<string, Hash> {
  const m = new Map<string, Hash>([['sha-256', createHash('sha256')]]);
  for (const { algo } of announced) if (SUPPORTED[algo] && !m.has(algo)) m.set(algo, createHash(SUPPORTED[algo]));
  return m;
}

/** Every supported algorithm announced must match; none supported → unverified. */
export function verifyHashes(announced: Array<{ algo: string; value: string }>, computed: Map<string, string>): HashResult {
  const checkable = announced.filter((h) => SUPPORTED[h.algo] && computed.has(h.algo));
  if (checkable.length === 0) return 'unverified';
  return checkable.every((h) => h.value.replace(/\s+/g, '') === computed.get(h.algo)) ? 'verified' : 'mismatch';
}
