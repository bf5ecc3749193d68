// A mux lane on the server (docs/quic.md §4): one QUIC bidi stream carrying a stream header, a
// <lane/> element naming its session and number, then stanzas from the opener; the other half
// carries a header and <a/> acks for that lane. No features, no SASL: the lane inherits the
// session of its sid, and only within the QUIC connection that negotiated it.
import { randomBytes } from 'node:crypto';
import type { QUICStream } from '@matrixai/quic';
import { createStreamParser } from '../../xml/parser.ts';
import type { XmlLimits } from '../../xml/limits.ts';
import type { Element } from '../../xml/element.ts';
import { streamErrorXml, streamHeader, type StreamErrorCondition } from '../../stream/framing.ts';
import type { SniffedStart } from './stream-transport.ts';
import type { QuicClientConnection } from './c2s-connection.ts';
import { NS_MUX } from './lane-rule.ts';

export interface LaneEvents {
  onElement(el: Element): void | Promise<void>;
  onClose(reason: string): void;
}

export class LaneStream {
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  private events: LaneEvents | null = null;
  private early: Element[] = [];
  private headerSent = false;
  private closed = false;
  private queued = 0;

  constructor(
    readonly connection: QuicClientConnection,
    private readonly stream: QUICStream,
    private readonly domain: string,
    limits: XmlLimits,
    sniffed: SniffedStart | null,
    private readonly onFirst: ((lane: LaneStream, el: Element) => void) | null,
  ) {
    this.writer = stream.writable.getWriter();
    void this.readLoop(sniffed, limits);
  }

  private async readLoop(sniffed: SniffedStart | null, limits: XmlLimits): Promise<void> {
    let first = true;
    const parser = createStreamParser(
      {
        onStreamStart: () => {},
        onStanza: (el) => {
          if (first && this.onFirst) {
            first = false;
            return this.onFirst(this, el);
          }
          if (this.events) void this.events.onElement(el);
          else this.early.push(el);
        },
        onStreamEnd: () => this.finish('lane closed by peer'),
        onError: (err) => this.fail(err.condition, err.message),
      },
      limits,
    );
    const reader = sniffed?.reader ?? this.stream.readable.getReader();
    try {
      for (const b of sniffed?.prefix ?? []) parser.write(b);
      let inFlight = sniffed?.inFlight;
      while (!this.closed) {
        const r = await (inFlight ?? reader.read());
        inFlight = undefined;
        if (r.done) return this.finish('lane ended by peer');
        parser.write(Buffer.from(r.value));
      }
    } catch (e) {
      this.finish(`lane error: ${(e as Error)?.message ?? e}`);
    }
  }

  /** Start delivering this lane's elements (those that arrived early are replayed in order). */
  attach(events: LaneEvents): void {
    this.events = events;
    for (const el of this.early.splice(0)) void events.onElement(el);
  }

  get bufferedBytes(): number {
    return this.queued;
  }

  writeRaw(data: string): void {
    if (this.closed) return;
    if (!this.headerSent) {
      this.headerSent = true;
      data = streamHeader('stream', { id: randomBytes(8).toString('hex'), from: this.domain }) + data;
    }
    const bytes = Buffer.from(data);
    this.queued += bytes.length;
    this.writer.write(bytes).then(
      () => (this.queued -= bytes.length),
      (e) => this.finish(`lane write failed: ${(e as Error)?.message ?? e}`),
    );
  }

  write(el: Element): void {
    this.writeRaw(el.toString());
  }

  /** Lane violations are fatal for the whole QUIC connection (docs/quic.md §4). */
  fail(condition: StreamErrorCondition, text: string, appCondition?: string): void {
    if (this.closed) return;
    this.connection.log.info({ condition, text }, 'mux lane violation: closing the QUIC connection');
    this.writeRaw(streamErrorXml(condition, text, appCondition) + '</stream:stream>');
    this.writer.close().catch(() => {});
    this.connection.close(1, condition);
    this.finish(`lane error: ${condition}`);
  }

  finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.events?.onClose(reason);
    this.writer.close().catch(() => {});
  }
}

/** A lane the client opened: its first element must be <lane sid n/> naming a mux on this connection. */
export function acceptClientLane(conn: QuicClientConnection, stream: QUICStream, sniffed: SniffedStart, limits: XmlLimits, domain: string): void {
  new LaneStream(conn, stream, domain, limits, sniffed, (lane, el) => {
    const n = Number(el.attrs.n);
    const mux = el.name === 'lane' && el.getNS() === NS_MUX ? conn.muxes.get(el.attrs.sid ?? '') : undefined;
    if (!mux) return lane.fail('policy-violation', 'No mux session with this sid on this QUIC connection', `<unknown-sid xmlns="${NS_MUX}"/>`);
    if (!Number.isInteger(n) || !mux.acceptLane(lane, n)) return lane.fail('policy-violation', `Lane ${el.attrs.n} is outside the negotiated lanes or already open`, `<bad-lane xmlns="${NS_MUX}"/>`);
  });
}
