// Receiving side of quic-ack and mux on an incoming QUIC s2s stream (docs/quic.md §8). Offers
// <ack/> and <mux lanes/> in the stream features; once the peer is authenticated it may enable
// quic-ack, then mux. Lanes it opens are checked like C2S lanes (net/quic/lane-stream.ts: unknown
// sid, n out of range or reused → policy-violation and the QUIC connection closes); each lane is
// a FIFO processed strictly in order through the stream's own stanza checks, and acked per lane.
import { randomBytes } from 'node:crypto';
import type { Logger } from '../../observability/log.ts';
import type { Metrics } from '../../observability/metrics.ts';
import type { MuxEndpoint, QuicClientConnection } from '../../net/quic/c2s-connection.ts';
import type { LaneStream } from '../../net/quic/lane-stream.ts';
import { isStanza, NS_ACK, NS_MUX, s2sLaneKey } from '../../net/quic/lane-rule.ts';
import { AckBatcher } from '../../net/quic/ack-batcher.ts';
import { StreamError } from '../../stream/framing.ts';
import { xml, type Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';
import type { InboundExtension, InboundStream } from '../inbound.ts';

export class MuxReceiver implements InboundExtension, MuxEndpoint {
  private ackOn = false;
  private h0 = 0;
  private readonly lane0Acks: AckBatcher;
  private mux: { sid: string; lanes: number } | null = null;
  /** Lane numbers the peer used on this mux; a number is never accepted twice. */
  private used = new Set<number>();
  private lanes = new Set<LaneStream>();

  constructor(private readonly s: InboundStream, private readonly qc: QuicClientConnection, private readonly maxLanes: number, private readonly log: Logger, private readonly metrics?: Metrics) {
    this.lane0Acks = new AckBatcher((h) => s.conn.write(xml('a', { xmlns: NS_ACK, h: String(h) })));
    s.conn.transport.onClose(() => this.stop());
  }

  features(): Element[] {
    return [xml('ack', { xmlns: NS_ACK }), xml('mux', { xmlns: NS_MUX, lanes: String(this.maxLanes) })];
  }

  onElement(el: Element): boolean {
    const ns = el.getNS();
    if (ns === NS_ACK && el.name === 'enable') {
      if (this.s.authorized.size === 0) throw new StreamError('not-authorized', 'Authenticate before enabling quic-ack');
      if (this.ackOn) throw new StreamError('policy-violation', 'quic-ack is already enabled');
      this.ackOn = true;
      // No resumption between servers: a lost s2s connection is re-established like a TCP one.
      this.s.conn.write(xml('enabled', { xmlns: NS_ACK, id: randomBytes(6).toString('base64url'), max: '0' }));
      return true;
    }
    if (ns === NS_MUX && el.name === 'mux') {
      if (!this.ackOn) throw new StreamError('policy-violation', 'Enable quic-ack before mux');
      if (this.mux) throw new StreamError('policy-violation', 'mux is already on');
      const requested = Number(el.attrs.lanes ?? this.maxLanes);
      const lanes = Math.max(1, Math.min(Number.isInteger(requested) ? requested : 1, this.maxLanes));
      this.mux = { sid: randomBytes(6).toString('base64url'), lanes };
      this.qc.muxes.set(this.mux.sid, this);
      this.s.conn.write(xml('mux-on', { xmlns: NS_MUX, sid: this.mux.sid, lanes: String(lanes) }));
      this.log.info({ sid: this.mux.sid, lanes }, 's2s QUIC mux on (incoming)');
      return true;
    }
    return ns === NS_ACK && el.name === 'a'; // acks for what we never send on this stream: ignore
  }

  stanzaHandled(): void {
    this.metrics?.s2sQuicLaneStanzas.inc({ direction: 'in', lane: '0' });
    if (this.ackOn) this.lane0Acks.processed((this.h0 = (this.h0 + 1) >>> 0), false);
  }

  /** MuxEndpoint: lane n announced by the peer on this QUIC connection. */
  acceptLane(lane: LaneStream, n: number): boolean {
    if (!this.mux || lane.connection !== this.qc || n < 1 || n >= this.mux.lanes || this.used.has(n)) return false;
    this.used.add(n);
    this.lanes.add(lane);
    let h = 0;
    let pending = 0;
    let chain = Promise.resolve();
    const acks = new AckBatcher((v) => lane.write(xml('a', { xmlns: NS_ACK, h: String(v) })));
    lane.attach({
      onElement: (el) => {
        if (!isStanza(el) || el.getNS() !== NS.server) return lane.fail('unsupported-stanza-type', 'An s2s lane carries stanzas only');
        if (s2sLaneKey(el) === null) return lane.fail('policy-violation', `<${el.name}/> between ${el.attrs.from ?? '?'} and ${el.attrs.to ?? '?'} belongs on lane 0`, `<wrong-lane xmlns="${NS_MUX}"/>`);
        pending++;
        this.s.conn.lastActivity = Date.now(); // lane traffic keeps the stream from the idle timeout
        // One FIFO per lane, strictly in order (specs/quic.md §4.2); a stanza counts once handled.
        chain = chain
          .then(() => this.s.acceptStanza(el))
          .catch((e) => {
            if (e instanceof StreamError) return lane.fail(e.condition, e.text ?? '');
            this.log.warn({ err: e }, 's2s lane stanza failed');
          })
          .finally(() => {
            pending--;
            this.metrics?.s2sQuicLaneStanzas.inc({ direction: 'in', lane: String(n) });
            acks.processed((h = (h + 1) >>> 0), pending === 0);
          });
      },
      onClose: () => this.lanes.delete(lane),
    });
    return true;
  }

  private stop(): void {
    if (this.mux) this.qc.muxes.delete(this.mux.sid);
    for (const l of this.lanes) l.finish('s2s stream closed');
    this.lanes.clear();
  }
}
