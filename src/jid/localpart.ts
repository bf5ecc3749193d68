// Localpart enforcement (RFC 7622 §3.3): the UsernameCaseMapped profile (RFC 8265 §3.3)
// plus the eight code points that XMPP excludes because they delimit or quote JIDs (§3.3.1).
import { LruCache } from './cache.ts';
import { JidError } from './error.ts';
import { MAX_PART_OCTETS, utf8Length } from './limits.ts';
import { PrecisError, usernameCaseMapped } from './precis.ts';

// RFC 7622 §3.3.1. Checked after mapping, because a fullwidth '＠' maps to '@'.
const EXCLUDED = /["&'/:<>@]/;

function enforce(input: string): string {
  if (input === '') throw new JidError('localpart', 'is empty (RFC 7622 §3.3: 1 to 1023 octets)');
  let output: string;
  try {
    output = usernameCaseMapped(input);
  } catch (err) {
    if (err instanceof PrecisError) throw new JidError('localpart', `${err.message}; localparts use the UsernameCaseMapped profile of RFC 8265 §3.3`);
    throw err;
  }
  const excluded = EXCLUDED.exec(output);
  if (excluded) {
    throw new JidError('localpart', `contains '${excluded[0]}', which RFC 7622 §3.3.1 excludes (escape it per XEP-0106)`);
  }
  const octets = utf8Length(output);
  if (octets > MAX_PART_OCTETS) throw new JidError('localpart', `is ${octets} octets, more than 1023 (RFC 7622 §3.3)`);
  return output;
}

const cache = new LruCache<string>(8192, 256);

/** The enforced (comparable) form of a localpart; throws JidError if it is not a valid localpart. */
export function normalizeLocalpart(input: string): string {
  return cache.getOrCompute(input, enforce);
}
