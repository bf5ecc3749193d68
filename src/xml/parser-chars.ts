// Character classes from XML 1.0 (Fifth Edition) for the tokenizer's hot loops: a table for
// ASCII, range checks for the rest. Inputs are UTF-16 code units; astral characters arrive as
// surrogate pairs and are checked by the callers with isSurrogatePairAt().

/** XML 1.0 §2.3 NameStartChar (ASCII part): letters, '_' and ':'. */
export const NAME_START = 1;
/** XML 1.0 §2.3 NameChar (ASCII part): NameStartChar, digits, '-' and '.'. */
export const NAME = 2;
/** XML 1.0 §2.3 S: space, tab, CR, LF. */
export const SPACE = 4;
/** Stops the character-data loop: '<', '&', CR (line-end normalization, §2.11), ']' (for "]]>"), non-Chars. */
export const TEXT_STOP = 8;
/** Stops an attribute value quoted with '"': the quote, '<', '&', whitespace (normalized, §3.3.3), non-Chars. */
export const ATTR_STOP_QUOT = 16;
/** Same for values quoted with "'". */
export const ATTR_STOP_APOS = 32;
/** Stops the CDATA-section loop: ']' (for "]]>"), CR, non-Chars. */
export const CDATA_STOP = 64;

export const ASCII_CLASS = buildAsciiTable();

function buildAsciiTable(): Uint8Array {
  const t = new Uint8Array(128);
  for (let c = 0; c < 128; c++) {
    const ch = String.fromCharCode(c);
    if (/[A-Za-z_:]/.test(ch)) t[c] |= NAME_START | NAME;
    if (/[0-9.\-]/.test(ch)) t[c] |= NAME;
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a) t[c] |= SPACE;
    // XML 1.0 §2.2 Char excludes every C0 control except tab, LF and CR.
    const notChar = c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d;
    if (notChar || ch === '<' || ch === '&' || ch === ']' || c === 0x0d) t[c] |= TEXT_STOP;
    if (notChar || ch === ']' || c === 0x0d) t[c] |= CDATA_STOP;
    if (notChar || ch === '<' || ch === '&' || c === 0x09 || c === 0x0a || c === 0x0d) t[c] |= ATTR_STOP_QUOT | ATTR_STOP_APOS;
    if (ch === '"') t[c] |= ATTR_STOP_QUOT;
    if (ch === "'") t[c] |= ATTR_STOP_APOS;
  }
  return t;
}

/** XML 1.0 §2.3 S. */
export function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

/**
 * True for a non-ASCII code unit the fast loops must look at: surrogates (which must pair up)
 * and U+FFFE/U+FFFF (not Chars, §2.2). Everything else from U+0080 up is a valid Char.
 */
export function needsCheck(c: number): boolean {
  return (c & 0xf800) === 0xd800 || c >= 0xfffe;
}

/** A high surrogate at i followed by a low one: a valid astral Char (§2.2 [#x10000-#x10FFFF]). */
export function isSurrogatePairAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (c < 0xd800 || c > 0xdbff) return false;
  const d = s.charCodeAt(i + 1);
  return d >= 0xdc00 && d <= 0xdfff;
}

/** XML 1.0 §2.3 NameStartChar for a non-ASCII BMP code unit. */
export function isNameStartNonAscii(c: number): boolean {
  return (
    (c >= 0xc0 && c <= 0xd6) || (c >= 0xd8 && c <= 0xf6) || (c >= 0xf8 && c <= 0x2ff) ||
    (c >= 0x370 && c <= 0x37d) || (c >= 0x37f && c <= 0x1fff) || c === 0x200c || c === 0x200d ||
    (c >= 0x2070 && c <= 0x218f) || (c >= 0x2c00 && c <= 0x2fef) || (c >= 0x3001 && c <= 0xd7ff) ||
    (c >= 0xf900 && c <= 0xfdcf) || (c >= 0xfdf0 && c <= 0xfffd)
  );
}

/** XML 1.0 §2.3 NameChar for a non-ASCII BMP code unit. */
export function isNameNonAscii(c: number): boolean {
  return isNameStartNonAscii(c) || c === 0xb7 || (c >= 0x300 && c <= 0x36f) || c === 0x203f || c === 0x2040;
}

/**
 * How many code units of a name character start at i: 0 if none. Astral name characters are
 * [#x10000-#xEFFFF], i.e. a pair whose high surrogate is at most U+DB7F.
 */
export function nameCharLength(s: string, i: number, start: boolean): number {
  const c = s.charCodeAt(i);
  if (c < 128) return ASCII_CLASS[c] & (start ? NAME_START : NAME) ? 1 : 0;
  if (c < 0xd800 || c > 0xdfff) return (start ? isNameStartNonAscii(c) : isNameNonAscii(c)) ? 1 : 0;
  return c <= 0xdb7f && isSurrogatePairAt(s, i) ? 2 : 0;
}

/** XML 1.0 §2.2 Char, for a code point (used for character references). */
export function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/** A whole string matches XML 1.0 §2.3 Name. */
export function isName(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; ) {
    const n = nameCharLength(s, i, i === 0);
    if (n === 0) return false;
    i += n;
  }
  return true;
}

/**
 * UTF-8 length of s[from, to). For valid input this equals the number of bytes that arrived on
 * the wire for those characters, which is what the stanza size limit counts.
 */
export function utf8Length(s: string, from: number, to: number): number {
  let n = to - from;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdfff) n += 1; // each half of a pair: 2 of its 4 bytes
    else n += 2;
  }
  return n;
}
