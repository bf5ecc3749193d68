// Domainpart enforcement (RFC 7622 §3.2). A domainpart is an IP address or an internationalized
// domain name; names are processed with UTS #46 (nontransitional, with the IDNA2008 hyphen, bidi
// and joiner checks, and STD3 rules so only letters, digits and hyphens remain in ASCII), then
// held to IDNA2008's code point rules (idna2008.ts), and kept in their Unicode form (U-labels),
// lowercased, so 'münchen.example' and 'xn--mnchen-3ya.example' are the same domainpart.
// domainToAscii() gives the A-label form that DNS, SNI and certificate matching need
// (RFC 6125 §6.2.1 compares A-labels).
import { toASCII, toUnicode, type ToASCIIOptions } from 'tr46';
import { LruCache } from './cache.ts';
import { JidError } from './error.ts';
import { idna2008LabelProblem } from './idna2008.ts';
import { isIPv4, normalizeIpLiteral } from './ip.ts';
import { MAX_LABEL_OCTETS, MAX_PART_OCTETS, utf8Length } from './limits.ts';

const IDNA: ToASCIIOptions = {
  transitionalProcessing: false, // RFC 5891 has no transitional mapping: 'ß' stays 'ß'
  checkHyphens: true, // RFC 5891 §4.2.3.1: no leading/trailing hyphen, no '--' in positions 3-4
  checkBidi: true, // RFC 5893
  checkJoiners: true, // RFC 5892 Appendix A.1/A.2 (ZWNJ, ZWJ)
  useSTD3ASCIIRules: true, // RFC 5891 §4.2.3.1 / RFC 1123: ASCII is letters, digits and hyphens only
};

function fail(reason: string): never {
  throw new JidError('domainpart', reason);
}

/** tr46 only reports that processing failed; find the likeliest reason for the error message. */
function diagnose(domain: string): string {
  const ascii = /[\x00-\x2C\x2F\x3A-\x40\x5B-\x60\x7B-\x7F]/.exec(domain); // not letter, digit, '-' or '.'
  if (ascii) {
    const shown = ascii[0] >= ' ' && ascii[0] < '\x7f' ? `'${ascii[0]}'` : `U+00${ascii[0].charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
    return `contains ${shown}; domain names allow only letters, digits and hyphens (RFC 5891 §4.2.3.1)`;
  }
  for (const label of domain.split('.')) {
    if (label.startsWith('-') || label.endsWith('-')) return `label '${label}' begins or ends with a hyphen (RFC 5891 §4.2.3.1)`;
    if (/^xn--/i.test(label)) return `label '${label}' is not a valid A-label (RFC 5891 §5.4)`;
    if (label.slice(2, 4) === '--') return `label '${label}' has '--' in positions 3-4 (RFC 5891 §4.2.3.1)`;
  }
  return 'is not a valid internationalized domain name (IDNA2008 via UTS #46: disallowed code point, bidi or joiner rule)';
}

// Plain ASCII names, the common case: UTS #46 would only lowercase them, so skip it when every
// label passes the hyphen rules (labels with '--' in positions 3-4, including A-labels, take the full path).
const LDH_NAME = /^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*$/;

function asciiFastPath(name: string): string | null {
  if (!LDH_NAME.test(name) || name.length > MAX_PART_OCTETS) return null;
  for (const label of name.split('.')) {
    if (label.length > MAX_LABEL_OCTETS || label[0] === '-' || label[label.length - 1] === '-') return null;
    if (label[2] === '-' && label[3] === '-') return null;
  }
  return name.toLowerCase();
}

function enforce(input: string): string {
  if (input === '') fail('is empty (RFC 7622 §3.2: 1 to 1023 octets)');
  if (input[0] === '[') {
    return normalizeIpLiteral(input) ?? fail(`'${input}' is not a valid IPv6 literal (RFC 3986 §3.2.2)`);
  }
  // RFC 7622 §3.2: a final label separator is stripped before the domainpart is used or compared.
  const name = input.endsWith('.') ? input.slice(0, -1) : input;
  if (name === '') fail('is empty once the trailing dot is removed (RFC 7622 §3.2)');
  if (isIPv4(name)) return name;
  const ascii = asciiFastPath(name);
  if (ascii !== null) return ascii;

  let result: { domain: string; error: boolean };
  try {
    result = toUnicode(name, IDNA);
  } catch {
    result = { domain: '', error: true }; // e.g. punycode overflow on hostile input; keep the error typed
  }
  if (result.error) fail(diagnose(name));
  const unicode = result.domain;
  for (const label of unicode.split('.')) {
    if (label === '') fail('has an empty label (RFC 1034 §3.1)');
    const problem = idna2008LabelProblem(label);
    if (problem) fail(problem);
  }

  let aLabels: string | null;
  try {
    aLabels = toASCII(unicode, IDNA);
  } catch {
    aLabels = null;
  }
  if (aLabels === null) fail(diagnose(unicode));
  for (const label of aLabels.split('.')) {
    if (label.length > MAX_LABEL_OCTETS) {
      fail(`label '${label}' is ${label.length} octets in ACE form, more than 63 (RFC 1035 §2.3.4)`);
    }
  }
  const octets = utf8Length(unicode);
  if (octets > MAX_PART_OCTETS) fail(`is ${octets} octets, more than 1023 (RFC 7622 §3.2)`);
  return unicode;
}

const unicodeCache = new LruCache<string>(1024, 256);
const asciiCache = new LruCache<string>(1024, 256);

/** The enforced (comparable) form of a domainpart: U-labels, lowercase, no trailing dot. */
export function normalizeDomainpart(input: string): string {
  return unicodeCache.getOrCompute(input, enforce);
}

/**
 * The domainpart in ASCII (A-labels, 'xn--...'), for DNS lookups, SNI and certificate name
 * matching. IP addresses are returned as normalised. Throws JidError for an invalid domainpart.
 */
export function domainToAscii(domain: string): string {
  return asciiCache.getOrCompute(domain, () => {
    const unicode = normalizeDomainpart(domain);
    if (unicode[0] === '[' || !/[^\x00-\x7F]/.test(unicode)) return unicode; // IP address or all NR-LDH labels
    return toASCII(unicode, IDNA) ?? fail(diagnose(unicode)); // cannot fail: enforce() checked it
  });
}
