// The two PRECIS profiles XMPP addresses use (RFC 7622 §3.3, §3.4):
// UsernameCaseMapped for localparts (RFC 8265 §3.3) and OpaqueString for resourceparts (RFC 8265 §4.2).
// Both throw PrecisError; the callers in localpart.ts and resourcepart.ts say which JID part failed.
import { hasRightToLeft, satisfiesBidiRule } from './bidi-rule.ts';
import { contextRuleHolds } from './context-rules.ts';
import { codePointName, derivedProperty, whyDisallowed, type StringClass } from './precis-class.ts';

export class PrecisError extends Error {
  override readonly name = 'PrecisError';
}

/**
 * Throws unless every code point is allowed in the string class (RFC 8264 §4.2/§4.3). With
 * `applyContext`, CONTEXTJ/CONTEXTO code points must also satisfy their rule (RFC 5892 Appendix A);
 * that is checked on the enforced output, where the neighbours are final.
 */
function checkClass(s: string, stringClass: StringClass, applyContext: boolean): void {
  const chars = Array.from(s);
  for (let i = 0; i < chars.length; i++) {
    const cp = chars[i].codePointAt(0)!;
    const value = derivedProperty(cp, stringClass);
    if (value === 'PVALID') continue;
    if (value === 'CONTEXTJ' || value === 'CONTEXTO') {
      if (!applyContext || contextRuleHolds(chars, i)) continue;
      throw new PrecisError(`${codePointName(cp)} is not allowed in this position (contextual rule, RFC 5892 Appendix A)`);
    }
    throw new PrecisError(whyDisallowed(cp, stringClass));
  }
}

/**
 * RFC 8266 §2.1 observes that PRECIS rules are not idempotent for every input and says to re-apply
 * them until the output is stable, rejecting after three extra rounds. RFC 8265 does not ask for it,
 * but doing it here guarantees enforce(enforce(x)) === enforce(x), which JID comparison relies on.
 */
function stabilise(input: string, applyRules: (s: string) => string): string {
  let current = applyRules(input);
  for (let round = 0; round < 3; round++) {
    const next = applyRules(current);
    if (next === current) return current;
    current = next;
  }
  throw new PrecisError('the string does not stabilise under the profile rules (RFC 8266 §2.1)');
}

// RFC 8265 §3.3.1 rule 1: the fullwidth and halfwidth code points are exactly those whose
// decomposition is tagged <wide> or <narrow> (UAX #11), all of which lie in these ranges; NFKC
// of one such code point is its decomposition mapping.
const WIDE_OR_NARROW = /[\u3000\uFF01-\uFFEE]/g;

function mapWidth(s: string): string {
  return s.replace(WIDE_OR_NARROW, (c) => c.normalize('NFKC'));
}

// ASCII7 code points are all PVALID (RFC 8264 §9.11) and unchanged by NFC and the Bidi Rule.
const PRINTABLE_ASCII = /^[\x21-\x7E]+$/;

function applyUsernameCaseMapped(input: string): string {
  const prepared = mapWidth(input); // §3.3.2 preparation, step 1
  checkClass(prepared, 'identifier', false); // §3.3.2 preparation, step 2
  const output = prepared.toLowerCase().normalize('NFC'); // §3.3.3 enforcement: case mapping, NFC
  if (output === '') throw new PrecisError('is empty after mapping (RFC 8265 §3.3.3)');
  checkClass(output, 'identifier', true); // RFC 8264 §7 step 6, on the final code points
  if (hasRightToLeft(output) && !satisfiesBidiRule(output)) {
    throw new PrecisError('contains right-to-left text that breaks the Bidi Rule (RFC 5893 §2, RFC 8265 §3.3.1)');
  }
  return output;
}

/** UsernameCaseMapped profile of the IdentifierClass (RFC 8265 §3.3): the enforced form. */
export function usernameCaseMapped(input: string): string {
  if (PRINTABLE_ASCII.test(input)) return input.toLowerCase();
  return stabilise(input, applyUsernameCaseMapped);
}

// RFC 8265 §4.2.2 rule 2: any Zs code point other than U+0020 is a "non-ASCII space".
const NON_ASCII_SPACE = /(?!\u0020)\p{Zs}/gu;
const PRINTABLE_ASCII_OR_SPACE = /^[\x20-\x7E]+$/;

function applyOpaqueString(input: string): string {
  checkClass(input, 'freeform', false); // §4.2.1 preparation
  // §4.2.2 enforcement: no width mapping, non-ASCII spaces to U+0020, no case mapping, NFC, no bidi rule.
  const output = input.replace(NON_ASCII_SPACE, ' ').normalize('NFC');
  if (output === '') throw new PrecisError('is empty after mapping (RFC 8265 §4.2.2)');
  checkClass(output, 'freeform', true);
  return output;
}

/** OpaqueString profile of the FreeformClass (RFC 8265 §4.2): the enforced form. */
export function opaqueString(input: string): string {
  if (PRINTABLE_ASCII_OR_SPACE.test(input)) return input;
  return stabilise(input, applyOpaqueString);
}
