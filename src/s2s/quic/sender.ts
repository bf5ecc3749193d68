// Sending side of quic-ack and mux on an outgoing QUIC s2s stream (docs/quic.md §8). After
// authentication it enables quic-ack and mux when the receiving server offers them, then spreads
// stanzas over lanes by the shared assignment rule (lane-rule.ts s2sLaneKey: one conversation
// per lane while it has unacked stanzas; domain-to-domain stanzas on lane 0). The lane choice,
// per-lane unacked lists and the write scheduler (each lane its own write queue, bulk yielding to
// small writes) are the client library's (src/quic-client/), shared rather than copied.
import { randomBytes } from 'node:crypto';
import type { Logger } from '../../observability/log.ts';
import type { Metrics } from '../../observability/metrics.ts';
import type { QuicClientConnection } from '../../net/quic/c2s-connection.ts';
import { NS_ACK, NS_MUX, s2sLaneKey } from '../../net/quic/lane-rule.ts';
import { LaneChooser, OutLane } from '../../quic-client/outbox.ts';
import { WriteScheduler } from '../../quic-client/write-scheduler.ts';
import { XmlLane } from '../../quic-client/xml-lane.ts';
import { xml, type Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';
import { escapeAttr } from '../../xml/escape.ts';
import type { OutboundExtension, OutboundStream } from '../outbound.ts';

type Waiter = { pred: (el: Element) => boolean; resolve: (el: Element) => void; reject: (e: Error) => void };

export class MuxSender implements OutboundExtension {
  private offers = { ack: false, lanes: 0 };
  private ackOn = false;
  mux: { sid: string; lanes: number } | null = null;
  private out = new Map<number, OutLane>([[0, new OutLane(0)]]);
  private lanes = new Map<number, XmlLane>();
  private chooser = new LaneChooser();
  private scheduler = new WriteScheduler();
  private waiter: Waiter | null = null;

  constructor(private readonly o: OutboundStream, private readonly qc: QuicClientConnection, private readonly maxLanes: number, private readonly log: Logger, private readonly metrics?: Metrics) {}

  onFeatures(f: Element): void {
    if (f.getChild('ack', NS_ACK)) this.offers.ack = true;
    const mux = f.getChild('mux', NS_MUX);
    if (mux) this.offers.lanes = Number(mux.attrs.lanes) || 1;
  }

  onElement(el: Element): boolean {
    if (el.name === 'a' && el.getNS() === NS_ACK) {
      this.onAck(0, Number(el.attrs.h));
      return true;
    }
    const w = this.waiter;
    if (w && w.pred(el)) {
      this.waiter = null;
      w.resolve(el);
      return true;
    }
    return false;
  }

  /** Authenticated: quic-ack, then mux, each only if offered (a plain XEP-0467 peer gets neither). */
  async start(): Promise<void> {
    if (!this.offers.ack) return;
    const en = await this.request(xml('enable', { xmlns: NS_ACK }), (el) => el.getNS() === NS_ACK && (el.name === 'enabled' || el.name === 'failed'));
    if (en.name !== 'enabled') return;
    this.ackOn = true;
    if (this.offers.lanes < 2 || this.maxLanes < 2) return;
    const on = await this.request(xml('mux', { xmlns: NS_MUX, lanes: String(this.maxLanes) }), (el) => el.name === 'mux-on' && el.getNS() === NS_MUX);
    const lanes = Number(on.attrs.lanes);
    if (on.attrs.sid && Number.isInteger(lanes) && lanes >= 1) this.mux = { sid: on.attrs.sid, lanes: Math.min(lanes, this.maxLanes) };
    this.log.info({ remote: this.o.remote, sid: this.mux?.sid, lanes: this.mux?.lanes }, 's2s QUIC mux on');
  }

  private request(el: Element, pred: (el: Element) => boolean): Promise<Element> {
    return new Promise((resolve, reject) => {
      this.waiter = { pred, resolve, reject };
      this.o.conn!.write(el);
    });
  }

  send(stanza: Element): boolean {
    if (!this.ackOn) return false;
    const key = this.mux ? s2sLaneKey(stanza) : null;
    const n = key === null ? 0 : this.chooser.choose(key, this.out, this.mux!.lanes, () => this.openLane());
    const text = stanza.toString();
    this.out.get(n)!.push({ el: stanza, key, bytes: text.length, acked: () => {} });
    this.metrics?.s2sQuicLaneStanzas.inc({ direction: 'out', lane: String(n) });
    if (n === 0) this.o.conn!.write(text);
    else {
      this.o.conn!.lastActivity = Date.now(); // lane traffic keeps the stream from the idle timeout
      void this.lanes.get(n)!.write(text);
    }
    return true;
  }

  /** A new lane: a QUIC stream opened with a stream header and <lane sid n/> (docs/quic.md §4.2). */
  private openLane(): number {
    let n = 1;
    while (this.out.has(n)) n++;
    const lane = new XmlLane(this.qc.newStream(), {
      onElement: (el) => {
        if (el.name === 'a' && el.getNS() === NS_ACK) this.onAck(n, Number(el.attrs.h));
      },
      // A lane lost is fatal for the stream (docs/quic.md §4): the connection goes, stanzas
      // not yet acked are lost as on a broken TCP stream.
      onClose: (reason) => {
        if (this.lanes.get(n) !== lane) return;
        this.log.info({ remote: this.o.remote, lane: n, reason }, 's2s QUIC lane closed: closing the stream');
        this.o.close();
      },
    }, this.scheduler);
    const header = `<?xml version='1.0'?><stream:stream xmlns="${NS.server}" xmlns:stream="${NS.stream}" from="${escapeAttr(this.o.local)}" to="${escapeAttr(this.o.remote)}" id="${randomBytes(6).toString('hex')}" version="1.0">`;
    void lane.write(header + xml('lane', { xmlns: NS_MUX, sid: this.mux!.sid, n: String(n) }).toString());
    this.out.set(n, new OutLane(n));
    this.lanes.set(n, lane);
    return n;
  }

  private onAck(n: number, h: number): void {
    if (!Number.isInteger(h)) return;
    for (const s of this.out.get(n)?.ack(h) ?? []) this.chooser.done(s.key);
  }

  /** Stanzas sent and not yet counted by the receiving server, per lane (tests, admin). */
  unacked(): Map<number, number> {
    return new Map([...this.out].map(([n, l]) => [n, l.unacked.length]));
  }
}
