// One client QUIC connection (ALPN xmpp-client). Every bidi stream the client opens is either a
// new XML stream handed to the ordinary C2S stream code (XEP-0467 §2 rule 9: a separate XMPP
// connection sharing the TLS identity, capped per connection) or a lane of a mux session on this
// connection (docs/quic.md §4), told apart by sniff.ts.
import { randomBytes } from 'node:crypto';
import { events, type QUICConnection, type QUICStream } from '@matrixai/quic';
import type { Logger } from '../../observability/log.ts';
import type { Transport } from '../transport.ts';
import { sniffStream } from './sniff.ts';
import { QuicStreamTransport } from './stream-transport.ts';
import type { QuicStreamInfo } from './quic-context.ts';
import { streamErrorXml, streamHeader } from '../../stream/framing.ts';
import type { XmlLimits } from '../../xml/limits.ts';
import { acceptClientLane, type LaneStream } from './lane-stream.ts';

/** The parts of a mux session a connection routes lanes to (implemented by QuicSessionLink). */
export interface MuxEndpoint {
  /** A client-opened lane announced itself as lane n of this mux; false = refuse it. */
  acceptLane(lane: LaneStream, n: number): boolean;
}

export interface ConnectionDeps {
  log: Logger;
  acceptClient(t: Transport): void;
  /** XML streams (sessions) one QUIC connection may carry. */
  maxSessions: number;
  /** Our domain, for the header of a refused stream. */
  domain: string;
  limits: XmlLimits;
  /** Listener name on the stream transports (default 'quic'; s2s uses this class too). */
  listener?: string;
}

export class QuicClientConnection {
  readonly id = randomBytes(6).toString('hex');
  /** Mux sessions on this connection, by sid (docs/quic.md §4). */
  readonly muxes = new Map<string, MuxEndpoint>();
  private sessions = 0;
  private closed = false;
  private closeCbs: Array<() => void> = [];
  readonly log: Logger;

  constructor(readonly conn: QUICConnection, private readonly deps: ConnectionDeps) {
    this.log = deps.log.child({ quic_conn: this.id, ip: conn.remoteHost });
    conn.addEventListener(events.EventQUICConnectionStream.name, (e) => void this.onStream((e as events.EventQUICConnectionStream).detail), {});
    conn.addEventListener(events.EventQUICConnectionStopped.name, () => this.onClosed(), { once: true });
  }

  get remoteAddress(): string {
    return String(this.conn.remoteHost);
  }

  private async onStream(stream: QUICStream): Promise<void> {
    const reader = stream.readable.getReader();
    const laneWait = this.muxes.size > 0 ? 300 : 0;
    const start = await sniffStream(reader, laneWait).catch(() => null);
    if (!start || this.closed) return;
    if (start.kind === 'lane') {
      // The lane names its session by sid in its first element; lane-in.ts checks it.
      return acceptClientLane(this, stream, start.sniffed, this.deps.limits, this.deps.domain);
    }
    const info: QuicStreamInfo = { connection: this };
    const t = new QuicStreamTransport(stream, this.deps.listener ?? 'quic', this.remoteAddress, info, start.sniffed);
    if (++this.sessions > this.deps.maxSessions) {
      // XEP-0467 lets a connection carry several XML streams; Parley caps them (specs/quic.md §3).
      this.log.info({ limit: this.deps.maxSessions }, 'too many XML streams on one QUIC connection');
      t.write(streamHeader('stream', { id: randomBytes(8).toString('hex'), from: this.deps.domain }));
      t.write(streamErrorXml('policy-violation', `At most ${this.deps.maxSessions} XML streams per QUIC connection`));
      t.write('</stream:stream>');
      t.onData(() => {});
      t.end();
      return;
    }
    t.onClose(() => this.sessions--);
    this.deps.acceptClient(t);
  }

  /** Open a server-initiated bidi stream (a server lane). */
  newStream(): QUICStream {
    return this.conn.newStream('bidi');
  }

  /** Close the whole QUIC connection (after a lane violation, or on shutdown). */
  close(appCode = 0, reason = ''): void {
    if (this.closed) return;
    this.closed = true;
    // A short grace so a stream error written just before reaches the peer.
    setTimeout(() => void this.conn.stop({ isApp: true, errorCode: appCode, reason: Buffer.from(reason), force: true }).catch(() => {}), 50).unref();
  }

  onClose(cb: () => void): void {
    this.closeCbs.push(cb);
  }

  private onClosed(): void {
    this.closed = true;
    for (const cb of this.closeCbs.splice(0)) cb();
  }
}
