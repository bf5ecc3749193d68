// The code point rules of IDNA2008 (RFC 5892 §2-3) for U-labels, which UTS #46 processing alone
// does not enforce: UTS #46 also accepts symbols and emoji (its "NV8" code points) and has no
// CONTEXTO rules. RFC 7622 §3.2 asks for IDNA2008 domain names, so domain.ts applies this
// after tr46. RFC 5892's algorithm shares its categories with PRECIS (RFC 8264 §9), so the
// classification of precis-class.ts is reused; see classAllowsInLabel for the differences.
import { contextRuleHolds } from './context-rules.ts';
import { categoryOf, codePointName, describeCodePoint } from './precis-class.ts';

// RFC 5892 §2.5 IgnorableBlocks: Combining Diacritical Marks for Symbols, Musical Symbols,
// Ancient Greek Musical Notation.
const IGNORABLE_BLOCKS = /[\u20D0-\u20FF\u{1D100}-\u{1D1FF}\u{1D200}-\u{1D24F}]/u;

/**
 * Whether a code point of a U-label is PVALID, or CONTEXTJ/CONTEXTO, under RFC 5892 §3. ASCII
 * needs no check here (STD3 rules already limited it to letters, digits and hyphens), and
 * UTS #46 mapping has already lowercased and NFKC-folded the label, so RFC 5892's "Unstable"
 * category (§2.3) is approximated by PRECIS HasCompat (code points that NFKC would change).
 */
function classAllowsInLabel(cp: number, ch: string): boolean {
  switch (categoryOf(cp)) {
    case 'ascii7':
    case 'exception-pvalid':
    case 'exception-contexto':
    case 'join-control':
      return true;
    case 'letter-digit':
      return !IGNORABLE_BLOCKS.test(ch);
    default:
      return false;
  }
}

/** Returns why a U-label breaks RFC 5892, or null if it conforms. */
export function idna2008LabelProblem(label: string): string | null {
  const chars = Array.from(label);
  for (let i = 0; i < chars.length; i++) {
    const cp = chars[i].codePointAt(0)!;
    if (cp < 0x80) continue;
    if (!classAllowsInLabel(cp, chars[i])) {
      const [what] = describeCodePoint(cp);
      return `${codePointName(cp)} (${what}) is not allowed in domain names (IDNA2008, RFC 5892 §2)`;
    }
    const category = categoryOf(cp);
    if ((category === 'exception-contexto' || category === 'join-control') && !contextRuleHolds(chars, i)) {
      return `${codePointName(cp)} is not allowed in this position (contextual rule, RFC 5892 Appendix A)`;
    }
  }
  return null;
}
