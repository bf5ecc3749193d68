// A small XMPP-over-QUIC client (XEP-0467) with Parley's quic-ack and mux extensions
// (docs/quic.md): SASL PLAIN (QUIC is always TLS 1.3), bind or resume, delivery ticks for every
// stanza sent, several lanes per session. Used by the tests and bench/quic-hol; usable alone.
// A quic-ack session can also be resumed over TCP (transport 'tcp', docs/quic.md §5.3): then all
// traffic is lane 0 on the TLS connection and acks keep flowing as lane-0 <a h/>.
import { QUICClient, events, type QUICStream } from '@matrixai/quic';
import Logger, { LogLevel } from '@matrixai/logger';
import { clientCrypto } from '../net/quic/crypto.ts';
import { coalesceSends, enlargeSocketBuffers, quicTransportConfig } from '../net/quic/transport-config.ts';
import { isStanza, laneKey, NS_ACK, NS_MUX } from '../net/quic/lane-rule.ts';
import { AckBatcher } from '../net/quic/ack-batcher.ts';
import { xml, type Element } from '../xml/element.ts';
import { XmlLane, streamOpen } from './xml-lane.ts';
import { LaneChooser, OutLane, type Sent } from './outbox.ts';
import { WriteScheduler } from './write-scheduler.ts';
import { TcpLane } from './tcp-lane.ts';

export interface QuicXmppOptions {
  host: string;
  /** UDP port for QUIC; with transport 'tcp' the TCP port (Direct TLS or STARTTLS). */
  port: number;
  /**
   * 'quic' (default) or 'tcp': only for resume() (specs/quic.md §6: new TCP sessions use
   * XEP-0198). tls picks Direct TLS (XEP-0368, default) or STARTTLS on that port.
   */
  transport?: 'quic' | 'tcp';
  tls?: 'direct-tls' | 'starttls';
  domain: string;
  username: string;
  password: string;
  resource?: string;
  /** 'single': everything on one QUIC stream (plain XEP-0467); 'mux': lanes (docs/quic.md §4). */
  mode?: 'single' | 'mux';
  /** Lanes to ask for in mux mode, lane 0 included. */
  lanes?: number;
  /** Enable quic-ack (default true; mux needs it). */
  ack?: boolean;
  /** PEM CA to trust (e.g. a self-signed test certificate); default the system store. */
  ca?: string;
  /** Local UDP address to bind (default 127.0.0.1 for a loopback server, else 0.0.0.0). */
  localHost?: string;
  timeoutMs?: number;
}

type Waiter = { pred: (el: Element) => boolean; resolve: (el: Element) => void };

export class QuicXmppClient {
  jid = '';
  /** quic-ack session id, for resumption. */
  ackId = '';
  mux: { sid: string; lanes: number } | null = null;
  /** After resume(): whether the server resumed the session or answered <failed/>. */
  resumeOutcome: 'resumed' | 'failed' | null = null;
  closedReason: string | null = null;
  private quic: QUICClient | null = null;
  private lane0!: XmlLane | TcpLane;
  private out = new Map<number, OutLane>([[0, new OutLane(0)]]);
  private outStreams = new Map<number, XmlLane>();
  private chooser = new LaneChooser();
  /** Small writes first across lanes (see write-scheduler.ts). */
  private scheduler = new WriteScheduler();
  /** h we hold for the server's lanes on this connection. */
  private inH = new Map<number, number>([[0, 0]]);
  private lane0Acks = new AckBatcher((h) => void this.lane0.write(`<a xmlns="${NS_ACK}" h="${h}"/>`));
  private ackOn = false;
  private waiters: Waiter[] = [];
  private stanzaCbs: Array<(el: Element) => void> = [];
  private closeCbs: Array<(reason: string) => void> = [];
  readonly received: Element[] = [];
  /** Stanzas received per server lane (0 = control lane). */
  readonly receivedByLane = new Map<number, number>();

  private constructor(readonly opts: QuicXmppOptions) {}

  /** Connect, authenticate, bind, and enable quic-ack (and mux) as asked. */
  static async connect(opts: QuicXmppOptions): Promise<QuicXmppClient> {
    if (opts.transport === 'tcp') throw new Error('quic-ack sessions start on QUIC; over TCP they can only be resumed (use resume())');
    const c = new QuicXmppClient(opts);
    const features = await c.open();
    if (!features.getChild('bind', 'urn:ietf:params:xml:ns:xmpp-bind')) throw new Error('server offers no resource binding');
    const res = await c.control(xml('iq', { type: 'set', id: 'bind1' }, xml('bind', { xmlns: 'urn:ietf:params:xml:ns:xmpp-bind' }, opts.resource ? xml('resource', {}, opts.resource) : null)), (el) => el.name === 'iq' && el.attrs.id === 'bind1');
    if (res.attrs.type !== 'result') throw new Error(`bind failed: ${res.toString()}`);
    c.jid = res.getChild('bind')?.getChildText('jid') ?? '';
    if (opts.ack !== false || opts.mode === 'mux') await c.enableAck(features);
    if (opts.mode === 'mux') await c.enableMux(features);
    return c;
  }

  /**
   * Resume a quic-ack session on a new connection (after a lost one): QUIC by default, or TCP
   * with overrides { transport: 'tcp', port } (docs/quic.md §5.3). Stanzas the old client sent
   * that the server had not counted are sent again, with their original ticks.
   */
  static async resume(old: QuicXmppClient, overrides: Partial<QuicXmppOptions> = {}): Promise<QuicXmppClient> {
    if (!old.ackId) throw new Error('quic-ack was not enabled on that session');
    await old.destroy();
    const c = new QuicXmppClient({ ...old.opts, ...overrides });
    const features = await c.open();
    if (!features.getChild('ack', NS_ACK)) throw new Error('server does not offer quic-ack here');
    const report = [...old.inH].map(([n, h]) => xml('lane', { n: String(n), h: String(h) }));
    // Before <resume/>: resent stanzas may arrive in the same read as <resumed/>.
    c.stanzaCbs = old.stanzaCbs;
    c.received.push(...old.received);
    const answer = await c.control(xml('resume', { xmlns: NS_ACK, previd: old.ackId }, report), (el) => el.getNS() === NS_ACK && (el.name === 'resumed' || el.name === 'failed'));
    c.jid = old.jid;
    c.resumeOutcome = answer.name === 'resumed' ? 'resumed' : 'failed';
    const held = new Map(answer.getChildren('lane').map((l) => [Number(l.attrs.n), Number(l.attrs.h)] as const));
    const resend: Sent[] = [];
    for (const lane of [...old.out.values()].sort((a, b) => a.n - b.n)) {
      if (answer.name === 'resumed' && held.has(lane.n)) for (const s of lane.ack(held.get(lane.n)!)) s.acked();
      resend.push(...lane.unacked);
    }
    if (answer.name === 'failed') {
      // The session is gone: bind anew, under the same resource so the server's origin-id
      // backstop (docs/quic.md §5.4) recognises resent messages, and send what was not acked as
      // new stanzas. Over TCP there is no quic-ack for a new session: ticks fire once written.
      const resource = c.opts.resource ?? old.jid.slice(old.jid.indexOf('/') + 1);
      const bound = await c.control(xml('iq', { type: 'set', id: 'bind1' }, xml('bind', { xmlns: 'urn:ietf:params:xml:ns:xmpp-bind' }, resource ? xml('resource', {}, resource) : null)), (el) => el.name === 'iq' && el.attrs.id === 'bind1');
      if (bound.attrs.type !== 'result') throw new Error(`bind failed: ${bound.toString()}`);
      c.jid = bound.getChild('bind')?.getChildText('jid') ?? c.jid;
      if (c.quic) await c.enableAck(features);
    } else {
      c.ackId = old.ackId;
      c.ackOn = true;
    }
    // Serialised on the new lane 0, in per-old-lane order (docs/quic.md §5.3).
    for (const s of resend) {
      c.sendOn(0, s);
      if (!c.ackOn) s.acked();
    }
    if (c.opts.mode === 'mux' && c.quic) await c.enableMux(features);
    return c;
  }

  // ---- negotiation --------------------------------------------------------------------------

  private async open(): Promise<Element> {
    const o = this.opts;
    if (o.transport === 'tcp') {
      this.lane0 = await TcpLane.connect({ host: o.host, port: o.port, domain: o.domain, ca: o.ca, tls: o.tls, timeoutMs: o.timeoutMs }, { onElement: (el) => this.onLane0(el), onClose: (r) => this.finish(r) });
    } else await this.openQuic();
    return this.authenticate();
  }

  private async openQuic(): Promise<void> {
    const o = this.opts;
    const loopback = o.host === '127.0.0.1' || o.host === 'localhost' || o.host === '::1';
    this.quic = await QUICClient.createQUICClient(
      {
        host: o.host,
        port: o.port,
        localHost: o.localHost ?? (loopback ? '127.0.0.1' : '0.0.0.0'),
        serverName: o.domain,
        crypto: clientCrypto(),
        logger: new Logger('quic-client', LogLevel.WARN),
        config: {
          verifyPeer: true,
          ca: o.ca,
          applicationProtos: ['xmpp-client'],
          enableEarlyData: false,
          maxIdleTimeout: 60_000,
          keepAliveIntervalTime: 15_000,
          initialMaxStreamsBidi: 64,
          ...quicTransportConfig(),
        },
      },
      { timer: o.timeoutMs ?? 10_000 },
    );
    const conn = this.quic.connection;
    coalesceSends(conn);
    enlargeSocketBuffers(this.quic);
    conn.addEventListener(events.EventQUICConnectionError.name, () => {});
    conn.addEventListener(events.EventQUICConnectionStream.name, (e) => this.onServerLane((e as events.EventQUICConnectionStream).detail));
    conn.addEventListener(events.EventQUICConnectionStopped.name, () => this.finish('QUIC connection closed'), { once: true });
    this.lane0 = new XmlLane(conn.newStream('bidi'), { onElement: (el) => this.onLane0(el), onClose: (r) => this.finish(r) }, this.scheduler);
  }

  // RFC 6120 §6 on lane 0 (QUIC is TLS 1.3 already; on TCP TcpLane set up TLS): SASL PLAIN, restart.
  private async authenticate(): Promise<Element> {
    const o = this.opts;
    void this.lane0.write(streamOpen(o.domain));
    const first = await this.next((el) => el.name === 'stream:features' || el.name === 'features');
    const mechs = first.getChild('mechanisms')?.getChildren('mechanism').map((m) => m.getText()) ?? [];
    if (!mechs.includes('PLAIN')) throw new Error(`server offers no PLAIN over QUIC (got ${mechs.join(',')})`);
    const token = Buffer.from(`\0${o.username}\0${o.password}`).toString('base64');
    const outcome = await this.control(xml('auth', { xmlns: 'urn:ietf:params:xml:ns:xmpp-sasl', mechanism: 'PLAIN' }, token), (el) => el.name === 'success' || el.name === 'failure');
    if (outcome.name !== 'success') throw new Error(`authentication failed: ${outcome.toString()}`);
    this.lane0.resetParser();
    void this.lane0.write(streamOpen(o.domain));
    return this.next((el) => el.name === 'stream:features' || el.name === 'features');
  }

  private async enableAck(features: Element): Promise<void> {
    if (!features.getChild('ack', NS_ACK)) throw new Error('server does not offer quic-ack');
    const en = await this.control(xml('enable', { xmlns: NS_ACK, resume: 'true' }), (el) => el.getNS() === NS_ACK && (el.name === 'enabled' || el.name === 'failed'));
    if (en.name !== 'enabled') throw new Error(`quic-ack refused: ${en.toString()}`);
    this.ackId = en.attrs.id ?? '';
    this.ackOn = true;
  }

  private async enableMux(features: Element): Promise<void> {
    if (!features.getChild('mux', NS_MUX)) throw new Error('server does not offer mux');
    const on = await this.control(xml('mux', { xmlns: NS_MUX, lanes: String(this.opts.lanes ?? 8) }), (el) => el.name === 'mux-on');
    this.mux = { sid: on.attrs.sid ?? '', lanes: Number(on.attrs.lanes) };
  }

  private control(el: Element, pred: (el: Element) => boolean): Promise<Element> {
    const p = this.next(pred);
    void this.lane0.write(el.toString());
    return p;
  }

  /** The next element on lane 0 matching pred. */
  next(pred: (el: Element) => boolean, timeoutMs = this.opts.timeoutMs ?? 10_000): Promise<Element> {
    return new Promise((resolve, reject) => {
      const w: Waiter = { pred, resolve: (el) => (clearTimeout(t), resolve(el)) };
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(new Error(`timed out waiting on lane 0 (${this.closedReason ?? 'open'})`));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  // ---- receiving ----------------------------------------------------------------------------

  private onLane0(el: Element): void {
    if (el.getNS() === NS_ACK && el.name === 'a') return this.onAck(0, Number(el.attrs.h));
    // Counting starts right after <enabled/> or <resumed/>, which may share a packet with stanzas.
    if (el.getNS() === NS_ACK && (el.name === 'enabled' || el.name === 'resumed')) this.ackOn = true;
    if (isStanza(el) && this.ackOn) this.lane0Acks.processed(this.bump(0), true);
    const w = this.waiters.find((x) => x.pred(el));
    if (w) {
      this.waiters = this.waiters.filter((x) => x !== w);
      return w.resolve(el);
    }
    if (isStanza(el)) this.deliver(el);
  }

  private bump(n: number): number {
    const h = ((this.inH.get(n) ?? 0) + 1) >>> 0;
    this.inH.set(n, h);
    return h;
  }

  private deliver(el: Element, lane = 0): void {
    this.receivedByLane.set(lane, (this.receivedByLane.get(lane) ?? 0) + 1);
    this.received.push(el);
    for (const cb of this.stanzaCbs) cb(el);
  }

  // A lane the server opened toward us: <lane sid n/>, then stanzas; we answer with acks.
  private onServerLane(stream: QUICStream): void {
    let n = -1;
    let acks: AckBatcher | null = null;
    const lane: XmlLane = new XmlLane(stream, {
      onElement: (el) => {
        if (n < 0) {
          if (el.name !== 'lane' || el.attrs.sid !== this.mux?.sid) return lane.close();
          n = Number(el.attrs.n);
          this.inH.set(n, this.inH.get(n) ?? 0);
          void lane.write(streamOpen(this.opts.domain));
          acks = new AckBatcher((h) => void lane.write(`<a xmlns="${NS_ACK}" h="${h}"/>`));
          return;
        }
        if (!isStanza(el)) return;
        this.deliver(el, n);
        acks!.processed(this.bump(n), true);
      },
      onClose: () => {},
    });
  }

  private onAck(n: number, h: number): void {
    for (const s of this.out.get(n)?.ack(h) ?? []) {
      this.chooser.done(s.key);
      s.acked();
    }
  }

  onStanza(cb: (el: Element) => void): void {
    this.stanzaCbs.push(cb);
  }

  onClose(cb: (reason: string) => void): void {
    this.closeCbs.push(cb);
  }

  // ---- sending ------------------------------------------------------------------------------

  /** Send a stanza; resolves when the server has counted it (the "delivered to the server" tick). */
  send(stanza: Element): Promise<void> {
    if (!stanza.attrs.xmlns) stanza.attrs.xmlns = 'jabber:client';
    return new Promise((acked) => {
      const key = this.mux ? laneKey(stanza, this.jid, 'to') : null;
      const n = key === null ? 0 : this.chooser.choose(key, this.out, this.mux!.lanes, () => this.openLane());
      const text = stanza.toString();
      this.sendOn(n, { el: stanza, key, bytes: text.length, acked: this.ackOn ? acked : () => {} });
      if (!this.ackOn) acked();
    });
  }

  private sendOn(n: number, s: Sent): void {
    if (this.ackOn) this.out.get(n)!.push(s);
    void (n === 0 ? this.lane0 : this.outStreams.get(n)!).write(s.el.toString());
  }

  private openLane(): number {
    let n = 1;
    while (this.out.has(n)) n++;
    const stream = this.quic!.connection.newStream('bidi');
    const lane = new XmlLane(stream, {
      onElement: (el) => {
        if (el.getNS() === NS_ACK && el.name === 'a') this.onAck(n, Number(el.attrs.h));
      },
      onClose: () => {},
    }, this.scheduler);
    void lane.write(streamOpen(this.opts.domain) + `<lane xmlns="${NS_MUX}" sid="${this.mux!.sid}" n="${n}"/>`);
    this.out.set(n, new OutLane(n));
    this.outStreams.set(n, lane);
    return n;
  }

  /** Write raw text on lane 0 or lane n (tests use it to break the protocol on purpose). */
  writeRaw(n: number, text: string): void {
    void (n === 0 ? this.lane0 : this.outStreams.get(n))?.write(text);
  }

  /** Open lane n by hand, bypassing the lane limit (tests). */
  openRawLane(n: number, sid = this.mux?.sid ?? ''): XmlLane {
    const lane = new XmlLane(this.quic!.connection.newStream('bidi'), { onElement: (el) => this.laneErrors.push(el), onClose: () => {} });
    void lane.write(streamOpen(this.opts.domain) + `<lane xmlns="${NS_MUX}" sid="${sid}" n="${n}"/>`);
    this.outStreams.set(n, lane);
    return lane;
  }
  /** Open another QUIC stream and write text on it (e.g. a second XML stream header; tests). */
  openRawStream(text: string): XmlLane {
    const lane = new XmlLane(this.quic!.connection.newStream('bidi'), { onElement: (el) => this.laneErrors.push(el), onClose: () => {} });
    void lane.write(text);
    return lane;
  }
  /** Lanes the client opened so far. */
  get openLanes(): number {
    return this.outStreams.size;
  }
  /** Elements received on lanes opened with openRawLane (stream errors, acks). */
  readonly laneErrors: Element[] = [];

  /** Bytes written to the QUIC streams and not yet taken by the QUIC stack (for pacing a bulk sender). */
  get bufferedBytes(): number {
    let n = this.lane0?.bufferedBytes ?? 0;
    for (const l of this.outStreams.values()) n += l.bufferedBytes;
    return n;
  }

  /** Stanzas sent and not yet counted by the server. */
  get unacked(): number {
    let n = 0;
    for (const l of this.out.values()) n += l.unacked.length;
    return n;
  }

  get localPort(): number {
    return this.quic?.localPort as number;
  }

  /** What carries the session now: a QUIC connection, or TCP after resume({ transport: 'tcp' }). */
  get transport(): 'quic' | 'tcp' {
    return this.lane0 instanceof TcpLane ? 'tcp' : 'quic';
  }

  // ---- closing ------------------------------------------------------------------------------

  private finish(reason: string): void {
    if (this.closedReason) return;
    this.closedReason = reason;
    for (const cb of this.closeCbs) cb(reason);
  }

  /** Close the session cleanly (</stream:stream>), then the QUIC connection. */
  async close(): Promise<void> {
    this.lane0?.close();
    await new Promise((r) => setTimeout(r, 100));
    await this.destroy();
  }

  /** Drop the QUIC connection without closing the XML stream: the server keeps the session for resumption. */
  async destroy(): Promise<void> {
    this.finish('destroyed');
    if (this.lane0 instanceof TcpLane) this.lane0.destroy();
    await this.quic?.destroy({ isApp: true, errorCode: 0, force: true }).catch(() => {});
  }
}
