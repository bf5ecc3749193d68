// The hardened streaming XML parser every transport feeds (RFC 6120 §4 TCP streams, RFC 7395
// WebSocket frames). Bytes go through a fatal streaming UTF-8 decoder (RFC 6120 §11.6), then the
// tokenizer (parser-tokenizer.ts: well-formedness, RFC 6120 §11.1 restrictions, limits) and the
// tree builder (parser-tree.ts: namespaces, detached stanzas, framing).
//
// Why a parser of our own rather than ltx, saxes or node-expat: docs/xml-parser.md (measured with
// bench/xml-parsers.ts). In short: ltx's design is the fastest but ltx checks almost nothing;
// saxes is correct but several times slower; node-expat bundles a 2017 libexpat that cannot report
// a DOCTYPE. This follows ltx's design and adds the checks; tests compare it with saxes.
import type { XmlLimits } from './limits.ts';
import { XmlParseError, type StreamParser, type StreamParserEvents } from './stream-parser.ts';
import { Tokenizer } from './parser-tokenizer.ts';
import { Utf8Tail } from './parser-size.ts';
import { TreeBuilder, type Framing } from './parser-tree.ts';

export type { Framing } from './parser-tree.ts';

export interface StreamParserOptions {
  /** 'stream' (default): one XML document over a byte stream. 'websocket': one element per write(). */
  framing?: Framing;
}

/**
 * Input is parsed in pieces of at most this many bytes, and the stanza size limit is checked after
 * each piece: a huge write() fails after one piece past the limit, not after parsing all of it.
 */
const PIECE = 16 * 1024;
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * Creates a parser for one XML stream. Events fire synchronously from write(). Malformed or
 * forbidden input ends in exactly one onError and nothing after it; write() and end() never throw
 * for any input (an exception thrown by an event handler does propagate, and stops the parser).
 * A stream restart (after STARTTLS or SASL, RFC 6120 §4.3.3) needs a new parser.
 */
export function createStreamParser(events: StreamParserEvents, limits: XmlLimits, opts: StreamParserOptions = {}): StreamParser {
  return new HardenedStreamParser(events, limits, opts.framing ?? 'stream');
}

class HardenedStreamParser implements StreamParser {
  private readonly tree: TreeBuilder;
  private readonly tokenizer: Tokenizer;
  // ignoreBOM: a byte order mark reaches the tokenizer, which skips it, so that sizes stay exact.
  private decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  private readonly tail = new Utf8Tail();
  /** After onError or end(): everything is ignored. */
  private done = false;
  private writing = false;
  /** Writes made by an event handler while a write was being parsed: parsed after it, in order. */
  private readonly queued: (Buffer | string)[] = [];
  /** A string chunk ended inside a surrogate pair: its first half waits for the next chunk. */
  private highSurrogate = '';

  constructor(
    private readonly events: StreamParserEvents,
    limits: XmlLimits,
    private readonly framing: Framing,
  ) {
    this.tree = new TreeBuilder(events, framing);
    this.tokenizer = new Tokenizer(this.tree, limits, { baseDepth: framing === 'stream' ? 1 : 0 });
  }

  write(chunk: Buffer | string): void {
    if (this.done) return;
    if (this.writing) {
      this.queued.push(chunk);
      return;
    }
    this.writing = true;
    try {
      for (let next: Buffer | string | undefined = chunk; next !== undefined && !this.done; next = this.queued.shift()) {
        if (this.framing === 'websocket') this.parseFrame(next);
        else this.parse(next);
      }
    } catch (e) {
      this.fail(e);
    } finally {
      this.writing = false;
      this.queued.length = 0;
    }
  }

  end(): void {
    if (this.done) return;
    if (this.writing) return this.stop(); // called by a handler: stop after the current event
    try {
      if (this.framing === 'stream') {
        this.decode(undefined);
        // Closing between stanzas is the transport's business; closing inside one is not XML.
        if (this.highSurrogate !== '' || !this.tokenizer.atBoundary) throw new XmlParseError('not-well-formed', 'stream ended inside an element');
      }
      this.stop();
    } catch (e) {
      this.fail(e);
    }
  }

  private stop(): void {
    this.done = true;
    this.tokenizer.stopped = true;
  }

  private fail(e: unknown): void {
    if (this.tree.inHandler) {
      this.stop();
      throw e;
    }
    if (this.done) return;
    this.stop();
    const err = e instanceof XmlParseError ? e : new XmlParseError('not-well-formed', `parser failure: ${(e as Error)?.message ?? String(e)}`);
    this.events.onError(err);
  }

  /** RFC 7395 §3.3.3: every frame holds exactly one complete element, a document of its own. */
  private parseFrame(chunk: Buffer | string): void {
    this.tokenizer.reset();
    this.tail.reset();
    this.parse(chunk);
    if (typeof chunk !== 'string') this.decode(undefined);
    if (!this.tokenizer.atBoundary || this.highSurrogate !== '') {
      throw new XmlParseError('not-well-formed', 'WebSocket frame does not hold a complete element (RFC 7395 §3.3.3)');
    }
  }

  private parse(chunk: Buffer | string): void {
    if (typeof chunk === 'string') return this.parseString(chunk);
    for (let at = 0; at < chunk.length && !this.done; at += PIECE) {
      const piece = chunk.subarray(at, at + PIECE);
      const text = this.decode(piece);
      const bytes = this.tail.decodedLength(piece);
      if (text !== '') this.tokenizer.feed(text, bytes);
    }
  }

  private parseString(chunk: string): void {
    let s = this.highSurrogate + chunk;
    this.highSurrogate = '';
    const last = s.charCodeAt(s.length - 1);
    if (last >= 0xd800 && last <= 0xdbff && this.framing === 'stream') {
      this.highSurrogate = s.slice(-1);
      s = s.slice(0, -1);
    }
    for (let at = 0; at < s.length && !this.done; ) {
      let end = Math.min(at + PIECE, s.length);
      const c = s.charCodeAt(end - 1);
      if (c >= 0xd800 && c <= 0xdbff && end < s.length) end++; // keep pairs whole
      const piece = s.slice(at, end);
      this.tokenizer.feed(piece, NON_ASCII.test(piece) ? Buffer.byteLength(piece) : piece.length);
      at = end;
    }
  }

  /** RFC 6120 §11.6 and §4.9.3.22: invalid UTF-8, even split across chunks, is unsupported-encoding. */
  private decode(bytes: Uint8Array | undefined): string {
    try {
      return bytes === undefined ? this.decoder.decode() : this.decoder.decode(bytes, { stream: true });
    } catch {
      throw new XmlParseError('unsupported-encoding', 'input is not valid UTF-8 (RFC 6120 §11.6)');
    }
  }
}
