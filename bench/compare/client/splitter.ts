// Splits an XMPP stream (RFC 6120 §4) into its top-level elements as strings, without building a
// tree: the load client only needs to find stanza boundaries and read a few attributes with
// regular expressions, which keeps the client cheap next to the server it measures. It trusts
// the server to send well-formed XML (all three peers do); a benchmark is not a validator.

export interface SplitterEvents {
  /** `<stream:stream ...>` opened (the open tag itself, unclosed by design). */
  onStreamOpen(tag: string): void;
  /** One complete top-level element: a stanza or a nonza such as <stream:features/>. */
  onElement(xml: string): void;
  /** `</stream:stream>` received. */
  onStreamClose(): void;
}

export class StanzaSplitter {
  private buf = '';
  private pos = 0;
  private depth = 0;
  private start = 0;

  constructor(private readonly events: SplitterEvents) {}

  /** Forget everything: a new stream starts after STARTTLS and SASL (RFC 6120 §5.4.3.3, §6.4.6). */
  reset(): void {
    this.buf = '';
    this.pos = 0;
    this.depth = 0;
    this.start = 0;
  }

  push(chunk: string): void {
    this.buf = this.pos === 0 && this.buf.length === 0 ? chunk : this.buf + chunk;
    this.scan();
  }

  private scan(): void {
    const b = this.buf;
    let pos = this.pos;
    for (;;) {
      const lt = b.indexOf('<', pos);
      if (lt < 0) {
        pos = b.length;
        break;
      }
      const c = b.charCodeAt(lt + 1);
      if (Number.isNaN(c)) {
        pos = lt;
        break;
      }
      if (c === 63 /* ? */) {
        const end = b.indexOf('?>', lt);
        if (end < 0) {
          pos = lt;
          break;
        }
        pos = end + 2;
        continue;
      }
      if (c === 33 /* ! */) {
        const cdata = b.startsWith('<![CDATA[', lt);
        const end = b.indexOf(cdata ? ']]>' : '-->', lt);
        if (end < 0) {
          pos = lt;
          break;
        }
        pos = end + 3;
        continue;
      }
      const gt = tagEnd(b, lt + 1);
      if (gt < 0) {
        pos = lt;
        break;
      }
      if (c === 47 /* / */) {
        this.depth--;
        if (this.depth === 0) this.events.onElement(b.slice(this.start, gt + 1));
        else if (this.depth < 0) {
          this.depth = 0;
          this.events.onStreamClose();
        }
      } else if (b.charCodeAt(gt - 1) === 47 /* self-closing */) {
        if (this.depth === 0) this.events.onElement(b.slice(lt, gt + 1));
      } else if (this.depth === 0 && isStreamOpen(b, lt)) {
        this.events.onStreamOpen(b.slice(lt, gt + 1));
      } else {
        if (this.depth === 0) this.start = lt;
        this.depth++;
      }
      pos = gt + 1;
    }
    // Keep only what is still needed: the unfinished top-level element, or the unscanned tail.
    const keepFrom = this.depth > 0 ? this.start : pos;
    this.buf = b.slice(keepFrom);
    this.pos = pos - keepFrom;
    this.start -= keepFrom;
    if (this.start < 0) this.start = 0;
  }
}

/** Index of the '>' that ends the tag starting before `i`, skipping quoted attribute values; -1 if incomplete. */
function tagEnd(b: string, i: number): number {
  let quote = 0;
  for (let n = b.length; i < n; i++) {
    const c = b.charCodeAt(i);
    if (quote) {
      if (c === quote) quote = 0;
    } else if (c === 62 /* > */) return i;
    else if (c === 34 || c === 39) quote = c;
  }
  return -1;
}

function isStreamOpen(b: string, lt: number): boolean {
  // <stream:stream or any prefix bound to http://etherx.jabber.org/streams; servers use "stream".
  return b.startsWith('<stream:stream', lt) || b.startsWith('<stream ', lt);
}
