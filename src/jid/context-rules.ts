// Contextual rules (RFC 5892 Appendix A) for the CONTEXTJ and CONTEXTO code points, which
// RFC 8264 §4.2.1/§4.3.1 require PRECIS string classes to apply: such a code point is
// allowed only where its rule holds, and a code point without a rule is disallowed.
import { combiningClassVirama, validZWNJ } from 'tr46/lib/regexes.js';

const GREEK = /\p{Script=Greek}/u;
const HEBREW = /\p{Script=Hebrew}/u;
const HIRAGANA_KATAKANA_HAN = /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u;
const ARABIC_INDIC_DIGIT = /[\u0660-\u0669]/;
const EXTENDED_ARABIC_INDIC_DIGIT = /[\u06F0-\u06F9]/;

const ZWNJ = '\u200C';

/** Whether the contextual rule for `chars[i]` holds in `chars` (one string split into code points). */
export function contextRuleHolds(chars: readonly string[], i: number): boolean {
  const cp = chars[i].codePointAt(0)!;
  const before = i > 0 ? chars[i - 1] : undefined;
  const after = i + 1 < chars.length ? chars[i + 1] : undefined;

  if (cp === 0x200c) {
    // A.1 ZERO WIDTH NON-JOINER: after a virama, or between joining letters.
    if (before !== undefined && combiningClassVirama.test(before)) return true;
    // Joining_Type T is never ZWNJ, so the match must lie between the neighbouring ZWNJs.
    let start = i;
    while (start > 0 && chars[start - 1] !== ZWNJ) start--;
    let end = i + 1;
    while (end < chars.length && chars[end] !== ZWNJ) end++;
    return validZWNJ.test(chars.slice(start, end).join(''));
  }
  if (cp === 0x200d) return before !== undefined && combiningClassVirama.test(before); // A.2 ZERO WIDTH JOINER
  if (cp === 0x00b7) return before === 'l' && after === 'l'; // A.3 MIDDLE DOT, as in Catalan "l·l"
  if (cp === 0x0375) return after !== undefined && GREEK.test(after); // A.4 GREEK LOWER NUMERAL SIGN
  if (cp === 0x05f3 || cp === 0x05f4) return before !== undefined && HEBREW.test(before); // A.5, A.6
  if (cp === 0x30fb) return chars.some((c) => HIRAGANA_KATAKANA_HAN.test(c)); // A.7 KATAKANA MIDDLE DOT
  // A.8, A.9: the two sets of Arabic-Indic digits must not be mixed.
  if (cp >= 0x0660 && cp <= 0x0669) return !chars.some((c) => EXTENDED_ARABIC_INDIC_DIGIT.test(c));
  if (cp >= 0x06f0 && cp <= 0x06f9) return !chars.some((c) => ARABIC_INDIC_DIGIT.test(c));
  return false;
}
