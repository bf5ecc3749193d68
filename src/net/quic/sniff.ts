// Tells the two kinds of peer-opened QUIC stream apart from their first bytes: a new XML stream
// (XEP-0467: every extra bidi stream is a separate connection) or a mux lane of an existing
// session, whose stream header is followed at once by <lane xmlns='urn:xmpp:quic-mux:0'/>
// (docs/quic.md). A new session's client sends its header and then waits for features, so when
// a mux session exists on the connection we wait briefly for a <lane/> before deciding.
import type { SniffedStart } from './stream-transport.ts';

export type StreamKind = 'session' | 'lane';

const HEADER_END = /<(?:[A-Za-z_][\w.-]*:)?stream\b[^>]*>/;
const MAX_SNIFF = 8192;

/** Pure decision on what has arrived so far; 'more' = read further. */
export function classifyStart(text: string, laneWaitOver: boolean): StreamKind | 'more' {
  const m = HEADER_END.exec(text);
  if (!m) return text.length > MAX_SNIFF ? 'session' : 'more';
  const rest = text.slice(m.index + m[0].length).trimStart();
  if (rest.length === 0) return laneWaitOver ? 'session' : 'more';
  if ('<lane'.startsWith(rest.slice(0, 5)) && rest.length < 5) return 'more';
  return rest.startsWith('<lane') ? 'lane' : 'session';
}

export async function sniffStream(reader: ReadableStreamDefaultReader<Uint8Array>, laneWaitMs: number): Promise<{ kind: StreamKind; sniffed: SniffedStart } | null> {
  const prefix: Buffer[] = [];
  let text = '';
  let headerSeenAt = 0;
  let inFlight: Promise<ReadableStreamReadResult<Uint8Array>> | undefined;
  for (let rounds = 0; rounds < 64; rounds++) {
    const waitOver = headerSeenAt > 0 && Date.now() - headerSeenAt >= laneWaitMs;
    const kind = classifyStart(text, laneWaitMs === 0 || waitOver);
    if (kind !== 'more') return { kind, sniffed: { prefix, reader, inFlight } };
    inFlight ??= reader.read();
    let timer: NodeJS.Timeout | undefined;
    const result = headerSeenAt > 0
      ? await Promise.race([inFlight, new Promise<null>((r) => (timer = setTimeout(() => r(null), Math.max(1, laneWaitMs - (Date.now() - headerSeenAt)))))])
      : await inFlight;
    clearTimeout(timer);
    if (result === null) continue; // waited long enough; the read stays in flight for the transport
    inFlight = undefined;
    if (result.done) return null;
    const b = Buffer.from(result.value);
    prefix.push(b);
    text += b.toString('utf8');
    if (!headerSeenAt && HEADER_END.test(text)) headerSeenAt = Date.now();
  }
  return { kind: 'session', sniffed: { prefix, reader, inFlight } };
}
