// Types for the Unicode property tables that tr46 generates from the Unicode Character Database
// (Bidi_Class, Canonical_Combining_Class=Virama, Joining_Type) — properties JavaScript's \p{...}
// escapes do not expose. tr46 has no "exports" map, so the file is importable; it is internal to
// tr46, so test/jid/unicode-tables.test.ts fails loudly if an upgrade moves it.
declare module 'tr46/lib/regexes.js' {
  /** A code point with Canonical_Combining_Class Virama. */
  export const combiningClassVirama: RegExp;
  /** RFC 5892 Appendix A.1: (Joining_Type:{L,D})(Joining_Type:T)*\u200C(Joining_Type:T)*(Joining_Type:{R,D}). */
  export const validZWNJ: RegExp;
  /** Contains a code point of Bidi_Class R, AL or AN (an "RTL label", RFC 5893 §1.4). */
  export const bidiDomain: RegExp;
  /** RFC 5893 §2 condition 1: first character is L / is R or AL. */
  export const bidiS1LTR: RegExp;
  export const bidiS1RTL: RegExp;
  /** RFC 5893 §2 conditions 2-6 (each matched against the whole label). */
  export const bidiS2: RegExp;
  export const bidiS3: RegExp;
  export const bidiS4EN: RegExp;
  export const bidiS4AN: RegExp;
  export const bidiS5: RegExp;
  export const bidiS6: RegExp;
}
