// Password preparation: the PRECIS OpaqueString profile (RFC 8265 §4.2), which replaces
// SASLprep (RFC 4013) for XMPP (RFC 8265 §4.2, RFC 6120 §6.3.8). SCRAM clients prepare the
// password the same way before PBKDF2 (RFC 5802 §2.2 "Normalize"), so the stored keys match.
//
// Simplified: the RFC 5892 §2.6 exception table and CONTEXTO rules are not applied.

/** RFC 8265 §4.2.2 step 2: non-ASCII space characters (Zs other than U+0020) map to U+0020. */
const NON_ASCII_SPACE = /(?!\u0020)\p{Zs}/gu;

/**
 * RFC 8264 §4.3 FreeformClass, valid categories: letters and digits (L, M, N), spaces (Zs),
 * symbols (S) and punctuation (P). Everything else (Cc controls, Cf format, Co private use,
 * Cs lone surrogates, Cn unassigned, Zl, Zp) is disallowed.
 */
const FREEFORM_VALID = /^[\p{L}\p{M}\p{N}\p{Zs}\p{S}\p{P}]*$/u;

/**
 * RFC 8264 §9.13 Ignorable (Default_Ignorable_Code_Point, Noncharacter_Code_Point) and
 * §9.9 OldHangulJamo (Hangul_Syllable_Type L, V, T; listed as ranges, JS has no property for it).
 */
const FREEFORM_DISALLOWED =
  /[\p{Default_Ignorable_Code_Point}\p{Noncharacter_Code_Point}\u1100-\u11FF\uA960-\uA97C\uD7B0-\uD7C6\uD7CB-\uD7FB]/u;

export class SaslPrepError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SaslPrepError';
  }
}

/** Prepares a password per OpaqueString; throws SaslPrepError when it is not allowed. */
export function saslPrepPassword(s: string): string {
  const out = s.replace(NON_ASCII_SPACE, ' ').normalize('NFC');
  // RFC 8265 §4.2.2: a password that is empty after preparation is refused.
  if (out.length === 0) throw new SaslPrepError('password is empty');
  if (!FREEFORM_VALID.test(out) || FREEFORM_DISALLOWED.test(out)) {
    throw new SaslPrepError('password contains a disallowed character (control, format, unassigned or ignorable)');
  }
  return out;
}
