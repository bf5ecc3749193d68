// Size limits of RFC 7622 and DNS, measured in octets of UTF-8.

/** RFC 7622 §3.2-3.4: a localpart, domainpart or resourcepart is 1 to 1023 octets, counted after enforcement. */
export const MAX_PART_OCTETS = 1023;

/** RFC 1035 §2.3.4 (and RFC 5890 §2.3.2.1 for A-labels): a DNS label is at most 63 octets in ACE form. */
export const MAX_LABEL_OCTETS = 63;

/**
 * Inputs longer than this (in UTF-16 code units) are refused before any Unicode work, so a hostile
 * 'to' attribute cannot make us normalise megabytes. A valid JID is at most 3071 octets (RFC 7622 §3.1);
 * the guard is four times that to leave room for inputs that shrink under mapping (e.g. NFC composition).
 */
export const MAX_INPUT_LENGTH = 4 * 3071;

/** Length in octets once encoded as UTF-8, without allocating (works in browsers too, unlike Buffer). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4; // a surrogate pair is one supplementary code point
      i++;
    } else n += 3; // BMP, or a lone surrogate (which UTF-8 encoders replace with U+FFFD, 3 octets)
  }
  return n;
}
