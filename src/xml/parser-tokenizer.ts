// The lexical half of the hardened parser: a resumable state machine over decoded text that
// checks XML 1.0 well-formedness, refuses what RFC 6120 §11.1 forbids, enforces the size limits
// of RFC 6120 §13.12 as bytes arrive, and hands tags and text to a TokenSink (parser-tree.ts).
//
// It is written in the style of ltx's parser (scan runs of ordinary characters in tight loops and
// slice them out), with the checks ltx leaves out. Every state can be suspended at any character,
// so input may be split anywhere; partial names, values and text are carried in buffers that are
// only appended to, never rescanned, so tiny chunks cost linear time.
import { XmlParseError } from './stream-parser.ts';
import type { XmlLimits } from './limits.ts';
import {
  ASCII_CLASS, ATTR_STOP_APOS, ATTR_STOP_QUOT, CDATA_STOP, NAME, TEXT_STOP,
  isSpace, isSurrogatePairAt, nameCharLength, needsCheck,
} from './parser-chars.ts';
import { MAX_ENTITY_LENGTH, resolveEntity } from './parser-entities.ts';
import { StanzaMeter } from './parser-size.ts';
import { MAX_XML_DECL, checkTarget, checkXmlDeclaration } from './parser-xmldecl.ts';

/** attrs has `xmlns` or `xmlns:*` declarations. */
export const HAS_NS_DECL = 1;
/** attrs has prefixed attributes other than `xmlns:*`. */
export const HAS_PREFIXED_ATTR = 2;

export interface TokenSink {
  /** A start tag, complete and well-formed; attrs are raw (prefixed names, declarations included). */
  startElement(name: string, attrs: Record<string, string>, flags: number): void;
  /** The end of the innermost open element (its end tag matched, or it was an empty-element tag). */
  endElement(): void;
  /** Character data of the innermost open element, entity-decoded and line-end normalized. */
  text(s: string): void;
}

// States. OUTSIDE is where whitespace may sit between top-level units (prolog, between stanzas).
const S_OUTSIDE = 0;
const S_LT = 1;
const S_START_NAME = 2;
const S_TAG = 3;
const S_ATTR_NAME = 4;
const S_ATTR_EQ = 5;
const S_ATTR_QUOTE = 6;
const S_ATTR_VALUE = 7;
const S_EMPTY_TAG = 8;
const S_END_NAME = 9;
const S_END_TAG = 10;
const S_TEXT = 11;
const S_ENTITY = 12;
const S_BANG = 13;
const S_CDATA = 14;
const S_XML_DECL = 15;
const S_DONE = 16;

const LT = 0x3c;
const GT = 0x3e;
const AMP = 0x26;
const SLASH = 0x2f;
const EQ = 0x3d;
const QUOT = 0x22;
const APOS = 0x27;
const BANG = 0x21;
const QMARK = 0x3f;
const RSQB = 0x5d;
const SEMI = 0x3b;
const CR = 0x0d;
const LF = 0x0a;

const CDATA_OPEN = '[CDATA[';

function notWellFormed(msg: string): never {
  throw new XmlParseError('not-well-formed', msg);
}

function show(s: string): string {
  return JSON.stringify(s.length > 40 ? s.slice(0, 40) + '…' : s);
}

export interface TokenizerOptions {
  /**
   * How many elements enclose a stanza: 1 on a TCP stream (the stream root), 0 for a WebSocket
   * frame. Elements at this depth are the units the stanza size limit is applied to.
   */
  baseDepth: 0 | 1;
}

export class Tokenizer {
  /** Set from outside (e.g. by an event handler ending the parser): stop at the next event. */
  stopped = false;

  private state = S_OUTSIDE;
  private readonly names: string[] = [];
  private rootSeen = false;
  /** Nothing consumed yet: the only place an XML declaration may appear (XML 1.0 §2.8). */
  private atStart = true;
  private bomPossible = true;

  // Partial tokens, carried across chunks.
  private nameBuf = '';
  private tagName = '';
  private attrs: Record<string, string> = {};
  private attrFlags = 0;
  private attrCount = 0;
  /** Names of the attributes of the current start tag, to find duplicates. */
  private readonly attrNames: string[] = [];
  private attrName = '';
  private valueBuf = '';
  private quoteMask = 0;
  private quote = 0;
  private sawSpace = false;
  private textBuf = '';
  private entityBuf = '';
  private entityReturn = S_TEXT;
  private bangIndex = 0;
  private declBuf = '';
  /** A CR ended the previous chunk: a LF starting this one belongs to it (XML 1.0 §2.11). */
  private skipLF = false;
  /** Raw ']' that ended the previous chunk, in text or a CDATA section (for "]]>"). */
  private rsqb = 0;

  /** Size of the current top-level unit (a stanza, the stream header, ...), RFC 6120 §13.12. */
  private readonly meter: StanzaMeter;

  constructor(
    private readonly sink: TokenSink,
    private readonly limits: XmlLimits,
    private readonly opts: TokenizerOptions,
  ) {
    this.meter = new StanzaMeter(limits.maxStanzaBytes);
  }

  /** Start over for a new document (one WebSocket frame). */
  reset(): void {
    this.state = S_OUTSIDE;
    this.names.length = 0;
    this.rootSeen = false;
    this.atStart = this.bomPossible = true;
    this.textBuf = this.nameBuf = this.valueBuf = this.entityBuf = this.declBuf = '';
    this.skipLF = false;
    this.rsqb = 0;
    this.meter.reset();
  }

  /** True when the input so far ends between top-level units (or after the stream ended). */
  get atBoundary(): boolean {
    return this.state === S_DONE || (this.state === S_OUTSIDE && this.names.length <= this.opts.baseDepth);
  }

  /** Parse more decoded text, which was dataBytes bytes of UTF-8 on the wire. */
  feed(data: string, dataBytes: number): void {
    const n = data.length;
    this.meter.piece(data, dataBytes);
    let pos = 0;
    if (this.skipLF) {
      this.skipLF = false;
      if (data.charCodeAt(0) === LF) pos = 1;
    }
    if (this.rsqb !== 0) pos = this.resumeBrackets(data, pos);
    while (pos < n && !this.stopped) {
      switch (this.state) {
        case S_TEXT:
          pos = this.scanText(data, pos, n);
          break;
        case S_LT:
          pos = this.afterLt(data, pos);
          break;
        case S_START_NAME:
          pos = this.scanStartName(data, pos, n);
          break;
        case S_TAG:
          pos = this.scanTag(data, pos, n);
          break;
        case S_ATTR_NAME:
          pos = this.scanAttrName(data, pos, n);
          break;
        case S_ATTR_EQ:
          pos = this.scanAttrEq(data, pos, n);
          break;
        case S_ATTR_QUOTE:
          pos = this.scanAttrQuote(data, pos, n);
          break;
        case S_ATTR_VALUE:
          pos = this.scanAttrValue(data, pos, n);
          break;
        case S_EMPTY_TAG:
          if (data.charCodeAt(pos) !== GT) notWellFormed("'/' in a start tag not followed by '>'");
          pos = this.openTag(pos + 1, true);
          break;
        case S_END_NAME:
          pos = this.scanEndName(data, pos, n);
          break;
        case S_END_TAG:
          pos = this.scanEndTag(data, pos, n);
          break;
        case S_OUTSIDE:
          pos = this.scanOutside(data, pos, n);
          break;
        case S_ENTITY:
          pos = this.scanEntity(data, pos, n);
          break;
        case S_BANG:
          pos = this.scanBang(data, pos);
          break;
        case S_CDATA:
          pos = this.scanCdata(data, pos, n);
          break;
        case S_XML_DECL:
          pos = this.scanXmlDecl(data, pos, n);
          break;
        default: // S_DONE: the stream is closed; the rest is not ours to parse.
          pos = n;
      }
    }
    if (this.stopped) return;
    this.meter.pieceEnd();
    if (this.state === S_ATTR_VALUE) this.checkValueLength();
  }

  // -- between top-level units ---------------------------------------------------------------

  private scanOutside(data: string, pos: number, n: number): number {
    let i = pos;
    if (this.bomPossible) {
      // A byte order mark may start the stream (XML 1.0 §4.3.3) and still leave room for <?xml.
      this.bomPossible = false;
      if (data.charCodeAt(i) === 0xfeff && ++i === n) return n;
    }
    const from = i;
    while (i < n && isSpace(data.charCodeAt(i))) i++;
    if (i > from) this.atStart = false;
    if (i === n) return n;
    if (data.charCodeAt(i) !== LT) {
      const depth = this.names.length;
      notWellFormed(depth === 0 ? 'character data outside the root element' : 'character data between stanzas (RFC 6120 §11.3)');
    }
    if (this.rootSeen && this.names.length === 0) notWellFormed('more than one element in a WebSocket frame (RFC 7395 §3.3.3)');
    this.meter.begin(i);
    this.state = S_LT;
    return i + 1;
  }

  /** Where the state machine goes once a tag (or declaration) is complete at position end. */
  private afterMarkup(end: number): void {
    const depth = this.names.length;
    if (depth > this.opts.baseDepth) {
      this.state = S_TEXT;
      return;
    }
    this.state = depth === 0 && this.rootSeen && this.opts.baseDepth === 1 ? S_DONE : S_OUTSIDE;
    this.meter.end(end);
  }

  private checkValueLength(): void {
    if (this.valueBuf.length > this.limits.maxAttributeLength) {
      throw new XmlParseError('policy-violation', `attribute value longer than ${this.limits.maxAttributeLength} characters`);
    }
  }

  // -- markup ------------------------------------------------------------------------------------

  private afterLt(data: string, pos: number): number {
    const c = data.charCodeAt(pos);
    const atStart = this.atStart;
    this.atStart = false;
    // Text ends at a tag; a CDATA section (`<!`) continues it.
    if (c !== BANG && this.textBuf !== '') {
      this.sink.text(this.textBuf);
      this.textBuf = '';
    }
    if (nameCharLength(data, pos, true) !== 0) {
      this.nameBuf = '';
      this.state = S_START_NAME;
      return pos;
    }
    switch (c) {
      case SLASH:
        if (this.names.length === 0) notWellFormed('end tag without a start tag');
        this.nameBuf = '';
        this.state = S_END_NAME;
        return pos + 1;
      case BANG:
        this.bangIndex = 0;
        this.state = S_BANG;
        return pos + 1;
      case QMARK:
        if (!atStart) throw new XmlParseError('restricted-xml', 'processing instructions are not allowed (RFC 6120 §11.1)');
        this.declBuf = '';
        this.state = S_XML_DECL;
        return pos + 1;
    }
    return notWellFormed("invalid character after '<'");
  }

  /** `<!`: only a CDATA section may follow; comments and DTDs are refused (RFC 6120 §11.1). */
  private scanBang(data: string, pos: number): number {
    const c = data.charCodeAt(pos);
    if (this.bangIndex === 0) {
      if (c === 0x2d /* - */) throw new XmlParseError('restricted-xml', 'comments are not allowed (RFC 6120 §11.1)');
      if (c >= 0x41 && c <= 0x5a) throw new XmlParseError('restricted-xml', 'DTDs and markup declarations are not allowed (RFC 6120 §11.1)');
      if (c === 0x5b /* [ */ && this.names.length <= this.opts.baseDepth) notWellFormed('CDATA section outside a stanza');
    }
    if (c !== CDATA_OPEN.charCodeAt(this.bangIndex)) notWellFormed("malformed markup after '<!'");
    if (++this.bangIndex === CDATA_OPEN.length) this.state = S_CDATA;
    return pos + 1;
  }

  /** `<?`: at the very start only the XML declaration, and it must say UTF-8 (RFC 6120 §11.6). */
  private scanXmlDecl(data: string, pos: number, n: number): number {
    const stop = Math.min(n, pos + MAX_XML_DECL - this.declBuf.length);
    let i = pos;
    while (i < stop && data.charCodeAt(i) !== GT) i++;
    if (i === stop && stop < n) notWellFormed('malformed XML declaration');
    const end = i < stop ? i + 1 : n;
    this.declBuf += data.slice(pos, end);
    const complete = i < stop && this.declBuf.charCodeAt(this.declBuf.length - 2) === QMARK;
    checkTarget(this.declBuf, complete);
    if (!complete) return end;
    checkXmlDeclaration(this.declBuf.slice(0, -2));
    this.declBuf = '';
    this.afterMarkup(end);
    return end;
  }

  /** Scans name characters from pos; returns where they stop. */
  private scanNameChars(data: string, pos: number, n: number): number {
    let i = pos;
    while (i < n) {
      const c = data.charCodeAt(i);
      if (c < 128) {
        if (ASCII_CLASS[c] & NAME) {
          i++;
          continue;
        }
        break;
      }
      const len = nameCharLength(data, i, false);
      if (len === 0) break;
      i += len;
    }
    this.nameBuf = this.nameBuf === '' ? data.slice(pos, i) : this.nameBuf + data.slice(pos, i);
    return i;
  }

  private scanStartName(data: string, pos: number, n: number): number {
    const i = this.scanNameChars(data, pos, n);
    if (i === n) return n;
    this.tagName = this.nameBuf;
    this.attrs = {};
    this.attrFlags = 0;
    this.attrCount = 0;
    this.sawSpace = false;
    const c = data.charCodeAt(i);
    if (c === GT) return this.openTag(i + 1, false);
    if (c === SLASH) this.state = S_EMPTY_TAG;
    else if (isSpace(c)) (this.state = S_TAG), (this.sawSpace = true);
    else notWellFormed(`invalid character in element name ${show(this.tagName)}`);
    return i + 1;
  }

  private scanTag(data: string, pos: number, n: number): number {
    let i = pos;
    while (i < n && isSpace(data.charCodeAt(i))) i++;
    if (i > pos) this.sawSpace = true;
    if (i === n) return n;
    const c = data.charCodeAt(i);
    if (c === GT) return this.openTag(i + 1, false);
    if (c === SLASH) {
      this.state = S_EMPTY_TAG;
      return i + 1;
    }
    if (nameCharLength(data, i, true) === 0) notWellFormed(`invalid character in start tag ${show(this.tagName)}`);
    if (!this.sawSpace) notWellFormed('attributes must be separated by whitespace');
    if (++this.attrCount > this.limits.maxAttributes) {
      throw new XmlParseError('policy-violation', `more than ${this.limits.maxAttributes} attributes on one element`);
    }
    this.nameBuf = '';
    this.state = S_ATTR_NAME;
    return i;
  }

  private scanAttrName(data: string, pos: number, n: number): number {
    const i = this.scanNameChars(data, pos, n);
    if (i === n) return n;
    this.attrName = this.nameBuf;
    const c = data.charCodeAt(i);
    if (c === EQ) this.state = S_ATTR_QUOTE;
    else if (isSpace(c)) this.state = S_ATTR_EQ;
    else notWellFormed(`invalid character in attribute name ${show(this.attrName)}`);
    return i + 1;
  }

  private scanAttrEq(data: string, pos: number, n: number): number {
    let i = pos;
    while (i < n && isSpace(data.charCodeAt(i))) i++;
    if (i === n) return n;
    if (data.charCodeAt(i) !== EQ) notWellFormed(`attribute ${show(this.attrName)} without a value`);
    this.state = S_ATTR_QUOTE;
    return i + 1;
  }

  private scanAttrQuote(data: string, pos: number, n: number): number {
    let i = pos;
    while (i < n && isSpace(data.charCodeAt(i))) i++;
    if (i === n) return n;
    const c = data.charCodeAt(i);
    if (c !== QUOT && c !== APOS) notWellFormed(`value of attribute ${show(this.attrName)} is not quoted`);
    this.quote = c;
    this.quoteMask = c === QUOT ? ATTR_STOP_QUOT : ATTR_STOP_APOS;
    this.valueBuf = '';
    this.state = S_ATTR_VALUE;
    return i + 1;
  }

  private scanAttrValue(data: string, pos: number, n: number): number {
    const mask = this.quoteMask;
    let i = pos;
    for (; i < n; i++) {
      const c = data.charCodeAt(i);
      if (c < 128) {
        if (ASCII_CLASS[c] & mask) break;
      } else if (needsCheck(c)) {
        if (!isSurrogatePairAt(data, i)) break;
        i++;
      }
    }
    if (i > pos) this.valueBuf = this.valueBuf === '' ? data.slice(pos, i) : this.valueBuf + data.slice(pos, i);
    if (i === n) return n;
    const c = data.charCodeAt(i);
    if (c === this.quote) {
      this.addAttribute();
      this.state = S_TAG;
      this.sawSpace = false;
      return i + 1;
    }
    switch (c) {
      case AMP:
        this.entityBuf = '';
        this.entityReturn = S_ATTR_VALUE;
        this.state = S_ENTITY;
        return i + 1;
      case LT:
        return notWellFormed(`'<' in the value of attribute ${show(this.attrName)}`);
      case CR: // XML 1.0 §2.11 then §3.3.3: CR LF, CR, LF and tab all become one space.
        this.valueBuf += ' ';
        return this.skipLineFeed(data, i + 1, n);
      case LF:
      case 0x09:
        this.valueBuf += ' ';
        return i + 1;
    }
    return notWellFormed('character not allowed in XML (XML 1.0 §2.2)');
  }

  private addAttribute(): void {
    this.checkValueLength();
    const name = this.attrName;
    const attrs = this.attrs;
    const names = this.attrNames;
    const index = this.attrCount - 1;
    for (let i = 0; i < index; i++) if (names[i] === name) notWellFormed(`duplicate attribute ${show(name)}`);
    names[index] = name;
    // A plain object would drop a "__proto__" key through its setter.
    if (name === '__proto__') Object.defineProperty(attrs, name, { value: this.valueBuf, enumerable: true, writable: true, configurable: true });
    else attrs[name] = this.valueBuf;
    if (name.charCodeAt(0) === 0x78 /* x */ && name.startsWith('xmlns') && (name.length === 5 || name.charCodeAt(5) === 0x3a)) {
      this.attrFlags |= HAS_NS_DECL;
    } else if (name.indexOf(':') !== -1) {
      this.attrFlags |= HAS_PREFIXED_ATTR;
    }
    this.valueBuf = '';
  }

  private openTag(end: number, empty: boolean): number {
    const names = this.names;
    const depth = names.length + 1 - this.opts.baseDepth;
    if (depth > this.limits.maxDepth) {
      throw new XmlParseError('policy-violation', `elements nested deeper than ${this.limits.maxDepth}`);
    }
    this.rootSeen = true;
    if (!empty) names.push(this.tagName);
    // Check the unit's size before its last event goes out: an oversized stanza is never delivered.
    this.afterMarkup(end);
    this.sink.startElement(this.tagName, this.attrs, this.attrFlags);
    if (empty && !this.stopped) this.sink.endElement();
    return end;
  }

  private scanEndName(data: string, pos: number, n: number): number {
    if (this.nameBuf === '') {
      // Fast path: the end tag names the open element, as it must (XML 1.0 §3 Element Type Match).
      const open = this.names[this.names.length - 1];
      const after = pos + open.length;
      if (after < n && data.startsWith(open, pos)) {
        const c = data.charCodeAt(after);
        if (c === GT || isSpace(c)) {
          this.nameBuf = open;
          if (c === GT) return this.closeTag(after + 1);
          this.state = S_END_TAG;
          return after + 1;
        }
      }
      if (nameCharLength(data, pos, true) === 0) notWellFormed("invalid character after '</'");
    }
    const i = this.scanNameChars(data, pos, n);
    if (i === n) return n;
    const c = data.charCodeAt(i);
    if (c === GT) return this.closeTag(i + 1);
    if (isSpace(c)) this.state = S_END_TAG;
    else notWellFormed(`invalid character in end tag ${show(this.nameBuf)}`);
    return i + 1;
  }

  private scanEndTag(data: string, pos: number, n: number): number {
    let i = pos;
    while (i < n && isSpace(data.charCodeAt(i))) i++;
    if (i === n) return n;
    if (data.charCodeAt(i) !== GT) notWellFormed(`invalid character in end tag ${show(this.nameBuf)}`);
    return this.closeTag(i + 1);
  }

  private closeTag(end: number): number {
    const open = this.names.pop();
    // XML 1.0 §3 WFC Element Type Match.
    if (open !== this.nameBuf) notWellFormed(`end tag ${show(this.nameBuf)} does not match start tag ${show(open ?? '')}`);
    this.afterMarkup(end);
    this.sink.endElement();
    return end;
  }

  // -- character data ------------------------------------------------------------------------------

  private scanText(data: string, pos: number, n: number): number {
    let i = pos;
    for (; i < n; i++) {
      const c = data.charCodeAt(i);
      if (c < 128) {
        if (ASCII_CLASS[c] & TEXT_STOP) break;
      } else if (needsCheck(c)) {
        if (!isSurrogatePairAt(data, i)) break;
        i++;
      }
    }
    if (i > pos) this.textBuf = this.textBuf === '' ? data.slice(pos, i) : this.textBuf + data.slice(pos, i);
    if (i === n) return n;
    switch (data.charCodeAt(i)) {
      case LT:
        this.state = S_LT;
        return i + 1;
      case AMP:
        this.entityBuf = '';
        this.entityReturn = S_TEXT;
        this.state = S_ENTITY;
        return i + 1;
      case CR:
        this.textBuf += '\n';
        return this.skipLineFeed(data, i + 1, n);
      case RSQB:
        return this.textBrackets(data, i, n, 0);
    }
    return notWellFormed('character not allowed in XML (XML 1.0 §2.2)');
  }

  /** XML 1.0 §2.14: "]]>" may not appear in character data. `carried` ']' ended the last chunk. */
  private textBrackets(data: string, i: number, n: number, carried: number): number {
    let j = i;
    while (j < n && data.charCodeAt(j) === RSQB) j++;
    this.textBuf += data.slice(i, j);
    const run = carried + (j - i);
    if (j === n) this.rsqb = Math.min(run, 2);
    else if (run >= 2 && data.charCodeAt(j) === GT) notWellFormed("']]>' in character data");
    return j;
  }

  /** Continues a run of ']' that ended the previous chunk, in text or in a CDATA section. */
  private resumeBrackets(data: string, pos: number): number {
    const carried = this.rsqb;
    this.rsqb = 0;
    if (this.state === S_CDATA) return this.cdataBrackets(data, pos, data.length, carried);
    return this.textBrackets(data, pos, data.length, carried);
  }

  private skipLineFeed(data: string, pos: number, n: number): number {
    if (pos === n) this.skipLF = true;
    else if (data.charCodeAt(pos) === LF) return pos + 1;
    return pos;
  }

  private scanEntity(data: string, pos: number, n: number): number {
    const room = MAX_ENTITY_LENGTH - this.entityBuf.length;
    const stop = Math.min(n, pos + room + 1);
    let i = pos;
    while (i < stop && data.charCodeAt(i) !== SEMI) i++;
    if (i === stop) {
      if (i - pos > room) notWellFormed('malformed entity reference');
      this.entityBuf += data.slice(pos, i);
      return n;
    }
    const value = resolveEntity(this.entityBuf + data.slice(pos, i));
    if (this.entityReturn === S_TEXT) this.textBuf += value;
    else this.valueBuf += value;
    this.state = this.entityReturn;
    return i + 1;
  }

  /** `<![CDATA[ ... ]]>`: its content is character data, merged with the text around it. */
  private scanCdata(data: string, pos: number, n: number): number {
    let i = pos;
    for (; i < n; i++) {
      const c = data.charCodeAt(i);
      if (c < 128) {
        if (ASCII_CLASS[c] & CDATA_STOP) break;
      } else if (needsCheck(c)) {
        if (!isSurrogatePairAt(data, i)) break;
        i++;
      }
    }
    if (i > pos) this.textBuf += data.slice(pos, i);
    if (i === n) return n;
    const c = data.charCodeAt(i);
    if (c === CR) {
      this.textBuf += '\n';
      return this.skipLineFeed(data, i + 1, n);
    }
    if (c !== RSQB) notWellFormed('character not allowed in XML (XML 1.0 §2.2)');
    return this.cdataBrackets(data, i, n, 0);
  }

  /** A run of ']' in a CDATA section: two of them and a '>' close it, the others are content. */
  private cdataBrackets(data: string, i: number, n: number, carried: number): number {
    let j = i;
    while (j < n && data.charCodeAt(j) === RSQB) j++;
    const run = carried + (j - i);
    if (j === n) {
      // Hold back up to two: they may start the "]]>" that the next chunk completes.
      const keep = Math.min(run, 2);
      this.textBuf += ']'.repeat(run - keep);
      this.rsqb = keep;
      return n;
    }
    if (run >= 2 && data.charCodeAt(j) === GT) {
      this.textBuf += ']'.repeat(run - 2);
      this.state = S_TEXT;
      return j + 1;
    }
    this.textBuf += ']'.repeat(run);
    return j;
  }
}
