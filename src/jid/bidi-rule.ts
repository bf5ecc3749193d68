// The Bidi Rule of RFC 5893 §2, which the UsernameCaseMapped profile applies to strings that
// contain right-to-left code points (RFC 8265 §3.3.1, rule 5). Bidi_Class is not exposed by
// JavaScript's property escapes, so the classes come from tr46's tables (see tr46-tables.d.ts).
import {
  bidiDomain, bidiS1LTR, bidiS1RTL, bidiS2, bidiS3, bidiS4AN, bidiS4EN, bidiS5, bidiS6,
} from 'tr46/lib/regexes.js';

/** Contains a code point of Bidi_Class R, AL or AN, i.e. the Bidi Rule applies (RFC 5893 §1.4). */
export function hasRightToLeft(s: string): boolean {
  return bidiDomain.test(s);
}

/** RFC 5893 §2: all six conditions, for a string already known to contain right-to-left code points. */
export function satisfiesBidiRule(s: string): boolean {
  const first = String.fromCodePoint(s.codePointAt(0) ?? 0);
  if (bidiS1RTL.test(first)) {
    // Conditions 2-4: an RTL string holds only RTL-compatible classes, ends in R/AL/EN/AN (then NSM*),
    // and does not mix European and Arabic digits.
    return bidiS2.test(s) && bidiS3.test(s) && !(bidiS4EN.test(s) && bidiS4AN.test(s));
  }
  if (bidiS1LTR.test(first)) {
    // Conditions 5-6: an LTR string holds only LTR-compatible classes and ends in L/EN (then NSM*).
    return bidiS5.test(s) && bidiS6.test(s);
  }
  return false; // condition 1: the first character must be L, R or AL
}
