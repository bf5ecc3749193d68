// Stanza size accounting for RFC 6120 §13.12 (maxStanzaBytes), exact in bytes of input yet cheap:
// the parser works on decoded text, so bytes are recovered from what is known per piece (its byte
// length, and what the decoder holds back) and only counted character by character when a stanza
// ends close to the limit or straddles a piece boundary in non-ASCII text.
import { XmlParseError } from './stream-parser.ts';
import { utf8Length } from './parser-chars.ts';

/**
 * UTF-8 length of what a streaming decoder emits for each piece, in O(1): the piece's byte length,
 * plus the bytes of a character it completes, minus those of a character it leaves incomplete.
 * Assumes the decoder accepted the bytes (it is fatal, so it did).
 */
export class Utf8Tail {
  private pending = 0;
  private sequence = 0;

  decodedLength(piece: Uint8Array): number {
    const n = piece.length;
    const before = this.pending;
    let k = 1;
    for (; k <= 3 && k <= n; k++) {
      const c = piece[n - k];
      if ((c & 0xc0) === 0x80) continue; // continuation byte: the lead is further back
      const len = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
      this.pending = len > k ? k : 0;
      this.sequence = len;
      return before + n - this.pending;
    }
    // Only continuation bytes at the end: they finish (or continue) a sequence begun earlier,
    // unless the piece is long enough to hold its lead byte, in which case it is complete.
    const total = n > 3 ? 0 : before + n;
    this.pending = total === this.sequence ? 0 : total;
    return before + n - this.pending;
  }

  reset(): void {
    this.pending = this.sequence = 0;
  }
}

/** Bytes of the current top-level unit (a stanza, the stream header), checked against the limit. */
export class StanzaMeter {
  private open = false;
  private start = 0;
  private bytes = 0;
  private data = '';
  private dataBytes = 0;

  constructor(private readonly max: number) {}

  /** A new piece of decoded text, whose UTF-8 length is dataBytes. */
  piece(data: string, dataBytes: number): void {
    this.data = data;
    this.dataBytes = dataBytes;
  }

  get counting(): boolean {
    return this.open;
  }

  begin(at: number): void {
    this.open = true;
    this.start = at;
    this.bytes = 0;
  }

  /** The unit ends before position end of the current piece. */
  end(end: number): void {
    if (!this.open) return;
    this.open = false;
    const span = end - this.start;
    const ascii = this.dataBytes === this.data.length;
    // A UTF-16 unit is at most 3 bytes: far enough below the limit, no need to count exactly.
    if (!ascii && this.bytes + 3 * span <= this.max) return;
    this.bytes += ascii ? span : this.start === 0 && end === this.data.length ? this.dataBytes : utf8Length(this.data, this.start, end);
    this.check();
  }

  /** The current piece is used up while the unit is still open. */
  pieceEnd(): void {
    if (!this.open) return;
    const n = this.data.length;
    const start = this.start;
    if (this.dataBytes === n) this.bytes += n - start;
    else if (start === 0) this.bytes += this.dataBytes;
    // Count whichever side of the unit's start is shorter.
    else this.bytes += start < n - start ? this.dataBytes - utf8Length(this.data, 0, start) : utf8Length(this.data, start, n);
    this.start = 0;
    this.check();
  }

  reset(): void {
    this.open = false;
    this.bytes = 0;
  }

  private check(): void {
    if (this.bytes > this.max) throw new XmlParseError('policy-violation', `stanza larger than ${this.max} bytes`);
  }
}
