// Per-user limits on slot requests (XEP-0363 §6 leaves them to the service): a rate (slots per
// window) and a byte quota per purpose bucket. Pure decisions; the caller gathers the numbers.
import { StanzaError } from '../../stanza/errors.ts';
import { retryLater, type Purpose } from './request.ts';

/** Purposes that share a quota: ephemeral files count against the message bucket. */
export function bucketOf(p: Purpose): Purpose[] {
  return p === 'message' || p === 'ephemeral' ? ['message', 'ephemeral'] : [p];
}

/** Rate: `times` are the creation times in the window, oldest first. */
export function checkRate(times: number[], limit: number, windowMs: number): StanzaError | null {
  if (times.length < limit) return null;
  // The oldest slot that must leave the window before one more fits.
  const freeAt = times[times.length - limit] + windowMs;
  return retryLater(`Too many upload slots: at most ${limit} in ${Math.round(windowMs / 1000)} s`, freeAt);
}

/**
 * Quota: `used` bytes (ready + reserved), `nextRelease` when some of it frees. A file bigger
 * than the whole quota can never fit: not-allowed. Otherwise wait until the next release, or
 * not-allowed when nothing in the bucket will ever expire.
 */
export function checkQuota(used: number, size: number, quota: number, nextRelease: number | null): StanzaError | null {
  if (used + size <= quota) return null;
  if (size > quota) return new StanzaError('not-allowed', `The file is larger than your upload quota of ${quota} bytes`);
  if (nextRelease === null) return new StanzaError('not-allowed', `Upload quota of ${quota} bytes reached`);
  return retryLater(`Upload quota of ${quota} bytes reached`, nextRelease);
}
