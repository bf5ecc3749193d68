// Room nicknames: the RFC 8266 Nickname profile of the PRECIS FreeformClass (muc.md §3: "enforce,
// then case-mapped compare"), Parley's length limit, and the New MUC occupant-address ban.
// XEP-0045 §17.1 also requires the nick to be a valid resourcepart and never empty or invisible.
import { contextRuleHolds } from '../../jid/context-rules.ts';
import { derivedProperty, whyDisallowed } from '../../jid/precis-class.ts';
import { StanzaError } from '../../stanza/errors.ts';

/** Longest nick in UTF-8 bytes (muc.md §5). */
export const MAX_NICK_BYTES = 64;

/** new-muc.md §1: nicks shaped like a New MUC occupant address (`-` + 22 base64url chars) are refused. */
const OCCUPANT_ADDRESS = /^-[A-Za-z0-9_-]{22}$/;

export class NickError extends Error {
  override readonly name = 'NickError';
}

// RFC 8266 §2.2 rule 1: non-ASCII spaces (Zs other than U+0020) map to U+0020.
const NON_ASCII_SPACE = /(?!\u0020)\p{Zs}/gu;

function checkFreeform(s: string): void {
  const chars = Array.from(s);
  for (let i = 0; i < chars.length; i++) {
    const cp = chars[i].codePointAt(0)!;
    const p = derivedProperty(cp, 'freeform');
    if (p === 'PVALID') continue;
    if ((p === 'CONTEXTJ' || p === 'CONTEXTO') && contextRuleHolds(chars, i)) continue;
    throw new NickError(whyDisallowed(cp, 'freeform'));
  }
}

function applyRules(input: string): string {
  checkFreeform(input); // RFC 8266 §2.1: FreeformClass
  // §2.2: additional mapping (spaces), no case mapping on enforcement, NFKC, no directionality rule.
  const mapped = input.replace(NON_ASCII_SPACE, ' ').replace(/ {2,}/g, ' ').trim();
  const out = mapped.normalize('NFKC');
  if (out === '') throw new NickError('is empty or only spaces (RFC 8266 §2.3, XEP-0045 §17.1)');
  checkFreeform(out);
  return out;
}

/** RFC 8266 §2.3 enforcement; reapplied until stable (§2.1 note on idempotence). Throws NickError. */
export function enforceNick(input: string): string {
  let current = applyRules(input);
  for (let round = 0; round < 3; round++) {
    const next = applyRules(current);
    if (next === current) return current;
    current = next;
  }
  throw new NickError('does not stabilise under the Nickname profile (RFC 8266 §2.1)');
}

/** RFC 8266 §2.4 comparison key: enforced, then case-mapped (toLowerCase) and NFKC again. */
export function nickKey(enforced: string): string {
  return enforced.toLowerCase().normalize('NFKC');
}

/**
 * The nick to use for a requested one, or the StanzaError to answer (muc.md §5): jid-malformed for
 * an empty nick, one the profile rejects, or one over 64 bytes; not-acceptable for a New MUC
 * occupant address.
 */
export function validateNick(requested: string): string {
  let nick: string;
  try {
    nick = enforceNick(requested);
  } catch (e) {
    if (e instanceof NickError) throw new StanzaError('jid-malformed', `The nickname ${e.message}`);
    throw e;
  }
  if (Buffer.byteLength(nick) > MAX_NICK_BYTES) throw new StanzaError('jid-malformed', `The nickname is longer than ${MAX_NICK_BYTES} bytes`);
  if (OCCUPANT_ADDRESS.test(nick)) throw new StanzaError('not-acceptable', 'Nicknames shaped like occupant addresses are reserved');
  return nick;
}
