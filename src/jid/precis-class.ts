// The PRECIS derived property of a code point (RFC 8264 §8), computed from the categories of
// RFC 8264 §9 with Unicode property escapes, so it follows the Unicode version of the running
// JavaScript engine (RFC 8264 §11 lets the derived values track Unicode versions).

/** Which step of the RFC 8264 §8 algorithm decided a code point, in the order the algorithm tests them. */
export type Category =
  | 'exception-pvalid' // §9.6 Exceptions (F), from RFC 5892 §2.6
  | 'exception-contexto'
  | 'exception-disallowed'
  | 'unassigned' // §9.10 (J)
  | 'ascii7' // §9.11 (K)
  | 'join-control' // §9.8 (H)
  | 'old-hangul-jamo' // §9.9 (I)
  | 'ignorable' // §9.13 (M)
  | 'control' // §9.12 (L)
  | 'has-compat' // §9.17 (Q)
  | 'letter-digit' // §9.1 (A)
  | 'other-letter-digit' // §9.18 (R)
  | 'space' // §9.14 (N)
  | 'symbol' // §9.15 (O)
  | 'punctuation' // §9.16 (P)
  | 'other'; // anything else is DISALLOWED (e.g. private use, surrogates, format characters)

export type StringClass = 'identifier' | 'freeform';
export type DerivedProperty = 'PVALID' | 'CONTEXTJ' | 'CONTEXTO' | 'DISALLOWED' | 'UNASSIGNED';

const CATEGORIES: readonly Category[] = [
  'exception-pvalid', 'exception-contexto', 'exception-disallowed', 'unassigned', 'ascii7', 'join-control',
  'old-hangul-jamo', 'ignorable', 'control', 'has-compat', 'letter-digit', 'other-letter-digit', 'space', 'symbol',
  'punctuation', 'other',
];

// RFC 5892 §2.6: code points whose IDNA2008 value is fixed by hand, reused by RFC 8264 §9.6.
const EXCEPTIONS = new Map<number, Category>();
for (const cp of [0x00df, 0x03c2, 0x06fd, 0x06fe, 0x0f0b, 0x3007]) EXCEPTIONS.set(cp, 'exception-pvalid');
for (const cp of [0x00b7, 0x0375, 0x05f3, 0x05f4, 0x30fb]) EXCEPTIONS.set(cp, 'exception-contexto');
for (let cp = 0x0660; cp <= 0x0669; cp++) EXCEPTIONS.set(cp, 'exception-contexto');
for (let cp = 0x06f0; cp <= 0x06f9; cp++) EXCEPTIONS.set(cp, 'exception-contexto');
for (const cp of [0x0640, 0x07fa, 0x302e, 0x302f, 0x3031, 0x3032, 0x3033, 0x3034, 0x3035, 0x303b]) {
  EXCEPTIONS.set(cp, 'exception-disallowed');
}

const UNASSIGNED = /\p{Cn}/u;
const NONCHARACTER = /\p{Noncharacter_Code_Point}/u;
const JOIN_CONTROL = /\p{Join_Control}/u;
// Hangul_Syllable_Type L, V or T; JavaScript has no property escape for it, so the ranges are listed.
const OLD_HANGUL_JAMO = /[\u1100-\u11FF\uA960-\uA97C\uD7B0-\uD7C6\uD7CB-\uD7FB]/u;
const IGNORABLE = /[\p{Default_Ignorable_Code_Point}\p{Noncharacter_Code_Point}]/u;
const CONTROL = /\p{Cc}/u;
const LETTER_DIGIT = /[\p{Ll}\p{Lu}\p{Lo}\p{Nd}\p{Lm}\p{Mn}\p{Mc}]/u;
const OTHER_LETTER_DIGIT = /[\p{Lt}\p{Nl}\p{No}\p{Me}]/u;
const SPACE = /\p{Zs}/u;
const SYMBOL = /[\p{Sm}\p{Sc}\p{Sk}\p{So}]/u;
const PUNCTUATION = /\p{P}/u;

function classify(cp: number): Category {
  const exception = EXCEPTIONS.get(cp);
  if (exception) return exception;
  // BackwardCompatible (§9.7, G) is empty at the time of writing.
  const ch = String.fromCodePoint(cp);
  if (UNASSIGNED.test(ch) && !NONCHARACTER.test(ch)) return 'unassigned';
  if (cp >= 0x21 && cp <= 0x7e) return 'ascii7';
  if (JOIN_CONTROL.test(ch)) return 'join-control';
  if (OLD_HANGUL_JAMO.test(ch)) return 'old-hangul-jamo';
  if (IGNORABLE.test(ch)) return 'ignorable';
  if (CONTROL.test(ch)) return 'control';
  if (ch.normalize('NFKC') !== ch) return 'has-compat';
  if (LETTER_DIGIT.test(ch)) return 'letter-digit';
  if (OTHER_LETTER_DIGIT.test(ch)) return 'other-letter-digit';
  if (SPACE.test(ch)) return 'space';
  if (SYMBOL.test(ch)) return 'symbol';
  if (PUNCTUATION.test(ch)) return 'punctuation';
  return 'other';
}

// One byte per code point (1.1 MB), filled lazily: index into CATEGORIES plus one, 0 meaning "not yet computed".
const memo = new Uint8Array(0x110000);

export function categoryOf(cp: number): Category {
  const known = memo[cp];
  if (known) return CATEGORIES[known - 1];
  const category = classify(cp);
  memo[cp] = CATEGORIES.indexOf(category) + 1;
  return category;
}

/** RFC 8264 §8: the value of a code point in the IdentifierClass (§4.2) or FreeformClass (§4.3). */
export function derivedProperty(cp: number, stringClass: StringClass): DerivedProperty {
  switch (categoryOf(cp)) {
    case 'exception-pvalid':
    case 'ascii7':
    case 'letter-digit':
      return 'PVALID';
    case 'exception-contexto':
      return 'CONTEXTO';
    case 'join-control':
      return 'CONTEXTJ';
    case 'unassigned':
      return 'UNASSIGNED';
    // "ID_DIS or FREE_PVAL": disallowed in identifiers, allowed in free-form strings.
    case 'has-compat':
    case 'other-letter-digit':
    case 'space':
    case 'symbol':
    case 'punctuation':
      return stringClass === 'freeform' ? 'PVALID' : 'DISALLOWED';
    default:
      return 'DISALLOWED';
  }
}

const WHAT: Record<Category, [string, string]> = {
  'exception-pvalid': ['', ''],
  'exception-contexto': ['allowed only in certain contexts', 'RFC 5892 Appendix A'],
  'exception-disallowed': ['an exception', 'RFC 5892 §2.6'],
  unassigned: ['unassigned', 'RFC 8264 §9.10'],
  ascii7: ['', ''],
  'join-control': ['a joiner', 'RFC 8264 §9.8'],
  'old-hangul-jamo': ['a conjoining Hangul jamo', 'RFC 8264 §9.9'],
  ignorable: ['default-ignorable or a noncharacter', 'RFC 8264 §9.13'],
  control: ['a control character', 'RFC 8264 §9.12'],
  'has-compat': ['a compatibility character', 'RFC 8264 §9.17'],
  'letter-digit': ['', ''],
  'other-letter-digit': ['a titlecase letter, letter-number, other number or enclosing mark', 'RFC 8264 §9.18'],
  space: ['a space', 'RFC 8264 §9.14'],
  symbol: ['a symbol', 'RFC 8264 §9.15'],
  punctuation: ['punctuation', 'RFC 8264 §9.16'],
  other: ['private use, a surrogate, a format character or a separator', 'RFC 8264 §8'],
};

/** "U+2163" style name for messages. */
export function codePointName(cp: number): string {
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** What kind of code point this is and which rule says so, e.g. ['a symbol', 'RFC 8264 §9.15']. */
export function describeCodePoint(cp: number): readonly [what: string, rule: string] {
  return WHAT[categoryOf(cp)];
}

/** Why a code point is not PVALID in a string class, for error messages. */
export function whyDisallowed(cp: number, stringClass: StringClass): string {
  const [what, rule] = WHAT[categoryOf(cp)];
  const className = stringClass === 'identifier' ? 'IdentifierClass' : 'FreeformClass';
  return `${codePointName(cp)} (${what}) is not allowed in the PRECIS ${className} (${rule})`;
}
