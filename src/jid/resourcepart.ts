// Resourcepart enforcement (RFC 7622 §3.4): the OpaqueString profile (RFC 8265 §4.2). Unlike the
// localpart, '@' and '/' are allowed here: the resourcepart is everything after the first '/'.
import { LruCache } from './cache.ts';
import { JidError } from './error.ts';
import { MAX_PART_OCTETS, utf8Length } from './limits.ts';
import { opaqueString, PrecisError } from './precis.ts';

function enforce(input: string): string {
  if (input === '') throw new JidError('resourcepart', 'is empty (RFC 7622 §3.4: 1 to 1023 octets)');
  let output: string;
  try {
    output = opaqueString(input);
  } catch (err) {
    if (err instanceof PrecisError) throw new JidError('resourcepart', `${err.message}; resourceparts use the OpaqueString profile of RFC 8265 §4.2`);
    throw err;
  }
  const octets = utf8Length(output);
  if (octets > MAX_PART_OCTETS) throw new JidError('resourcepart', `is ${octets} octets, more than 1023 (RFC 7622 §3.4)`);
  return output;
}

const cache = new LruCache<string>(8192, 256);

/** The enforced (comparable) form of a resourcepart; throws JidError if it is not a valid resourcepart. */
export function normalizeResourcepart(input: string): string {
  return cache.getOrCompute(input, enforce);
}
