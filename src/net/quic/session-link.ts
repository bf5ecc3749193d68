// Server side of quic-ack and mux for one bound client session (docs/quic.md §5–§6).
// quic-ack: per (direction, lane) counter h of stanzas fully handled; the receiver reports it
// unasked with <a h/>. The session outlives its connection for resume_seconds and the client
// resumes it with the counters it holds. mux: the client opens lanes 1..lanes-1 toward us, we
// open ours toward it; a conversation key (lane-rule.ts) stays on one lane while it has unacked
// stanzas there, so per-conversation order holds and conversations never block each other.
import { randomBytes } from 'node:crypto';
import type { SessionKeeper } from '../../router/session.ts';
import type { C2SSession } from '../../stream/c2s-session.ts';
import type { Router } from '../../router/router.ts';
import type { HookBus } from '../../hooks/bus.ts';
import type { HookEvents } from '../../hooks/events.ts';
import type { Logger } from '../../observability/log.ts';
import type { XmlLimits } from '../../xml/limits.ts';
import { xml, type Element } from '../../xml/element.ts';
import { StanzaError } from '../../stanza/errors.ts';
import type { MuxEndpoint, QuicClientConnection } from './c2s-connection.ts';
import { LaneStream } from './lane-stream.ts';
import { isStanza, laneKey, NS_ACK, NS_MUX } from './lane-rule.ts';
import { AckBatcher } from './ack-batcher.ts';

export interface SessionLinkDeps {
  router: Router;
  hooks: HookBus<HookEvents>;
  log: Logger;
  limits: XmlLimits;
  domain: string;
  resumeSeconds: number;
}

interface OutItem {
  el: Element;
  /** When it was first handed to the session (a XEP-0203 stamp if it is delivered elsewhere). */
  at: number;
  key: string | null;
  bytes: number;
}

/** Stanzas we sent on one lane and the peer has not yet counted. */
class OutLane {
  sent = 0;
  unacked: OutItem[] = [];
  unackedBytes = 0;
  constructor(readonly n: number, public stream: LaneStream | null) {}
}

/** A client-opened lane: its own FIFO, processed strictly in order (specs/quic.md §4.2). */
interface InLane {
  stream: LaneStream;
  chain: Promise<void>;
  acks: AckBatcher;
}

export class QuicSessionLink implements MuxEndpoint, SessionKeeper {
  readonly id = randomBytes(6).toString('base64url');
  private conn: QuicClientConnection | null;
  private mux: { sid: string; lanes: number } | null = null;
  private out = new Map<number, OutLane>([[0, new OutLane(0, null)]]);
  private keyLanes = new Map<string, { n: number; inflight: number }>();
  private inLanes = new Map<number, InLane>();
  /** Stanzas handled per client lane on the current connection (lane 0 included). */
  private inH = new Map<number, number>([[0, 0]]);
  private lane0Acks: AckBatcher;
  private inLaneDelivery = false;
  private expiry: NodeJS.Timeout | null = null;
  private readonly offs: Array<() => void> = [];
  private readonly log: Logger;

  constructor(readonly session: C2SSession, readonly account: string, conn: QuicClientConnection, private readonly deps: SessionLinkDeps) {
    this.conn = conn;
    this.log = deps.log.child({ session: session.id, quic_ack: this.id });
    this.lane0Acks = new AckBatcher((h) => this.session.writeRaw(xml('a', { xmlns: NS_ACK, h: String(h) })));
    // Last outbound stage: every stanza for the client is counted and kept until acked.
    this.offs.push(session.addOutboundStage((st) => this.sendOut(st), -1_000_000));
    this.offs.push(session.onInbound(() => {
      if (this.inLaneDelivery) return;
      // Lane 0 stanzas are handed to the C2S stream's in-order processor, which handles them
      // even if the connection drops afterwards; counted at that hand-off.
      const h = this.bump(0);
      this.lane0Acks.processed(h, false);
    }));
    session.setKeeper(this);
  }

  get resumeSeconds(): number {
    return this.deps.resumeSeconds;
  }

  private bump(n: number): number {
    const h = ((this.inH.get(n) ?? 0) + 1) >>> 0;
    this.inH.set(n, h);
    return h;
  }

  // ---- mux negotiation and lanes -----------------------------------------------------------

  enableMux(requested: number, limit: number, conn: QuicClientConnection): { sid: string; lanes: number } {
    const lanes = Math.max(1, Math.min(requested, limit));
    this.mux = { sid: randomBytes(6).toString('base64url'), lanes };
    this.conn = conn;
    conn.muxes.set(this.mux.sid, this);
    return this.mux;
  }

  acceptLane(lane: LaneStream, n: number): boolean {
    if (!this.mux || lane.connection !== this.conn || n < 1 || n >= this.mux.lanes || this.inLanes.has(n)) return false;
    const acks = new AckBatcher((h) => lane.write(xml('a', { xmlns: NS_ACK, h: String(h) })));
    const entry: InLane = { stream: lane, chain: Promise.resolve(), acks };
    this.inLanes.set(n, entry);
    this.inH.set(n, 0);
    let pending = 0;
    lane.attach({
      onElement: (el) => {
        if (!isStanza(el) || (el.getNS() ?? 'jabber:client') !== 'jabber:client') return lane.fail('unsupported-stanza-type', 'A client lane carries stanzas only');
        // Lane 0 only: control traffic and everything without a conversation (docs/quic.md §4.1).
        if (laneKey(el, this.session.jid.bare().toString(), 'to') === null) {
          return lane.fail('policy-violation', `<${el.name}/> to ${el.attrs.to ?? 'the server'} belongs on lane 0`, `<wrong-lane xmlns="${NS_MUX}"/>`);
        }
        pending++;
        entry.chain = entry.chain
          .then(() => this.handleLaneStanza(el))
          .catch((e) => this.log.warn({ err: e }, 'lane stanza failed'))
          .finally(() => {
            pending--;
            acks.processed(this.bump(n), pending === 0);
          });
      },
      onClose: () => {
        if (this.inLanes.get(n)?.stream === lane) this.inLanes.delete(n);
      },
    });
    return true;
  }

  // What C2SStream.onStanza does for lane 0, for a stanza from a lane (presence without 'to'
  // never comes here: it is lane-0 traffic).
  private async handleLaneStanza(el: Element): Promise<void> {
    const s = this.session;
    if (s.isEnded) return;
    const claimed = el.attrs.from;
    if (claimed !== undefined && claimed !== s.jid.toString() && claimed !== s.jid.bare().toString()) {
      this.deps.router.bounce(el, new StanzaError('forbidden', 'from must be your own address'));
      return;
    }
    el.attrs.from = s.jid.toString();
    this.inLaneDelivery = true;
    try {
      s.stanzaIn(el);
    } finally {
      this.inLaneDelivery = false;
    }
    try {
      if (await this.deps.hooks.fire('client/stanza', { stanza: el, session: s })) return;
    } catch (err) {
      if (err instanceof StanzaError) return this.deps.router.bounce(el, err);
      throw err;
    }
    await this.deps.router.route(el, s);
  }

  // ---- outbound ----------------------------------------------------------------------------

  private sendOut(st: Element, at = Date.now()): void {
    const key = this.mux && this.conn ? laneKey(st, this.session.jid.bare().toString(), 'from') : null;
    const n = key === null ? 0 : this.laneFor(key);
    const lane = this.out.get(n)!;
    const item: OutItem = { el: st, at, key, bytes: 0 };
    lane.unacked.push(item);
    lane.sent = (lane.sent + 1) >>> 0;
    if (key !== null) this.keyLanes.get(key)!.inflight++;
    if (n === 0) {
      this.session.writeRaw(st);
      return;
    }
    const text = st.toString();
    item.bytes = text.length;
    lane.unackedBytes += text.length;
    lane.stream!.writeRaw(text);
  }

  private laneFor(key: string): number {
    const bound = this.keyLanes.get(key);
    if (bound && this.out.get(bound.n)?.stream) return bound.n;
    let best: OutLane | null = null;
    for (const l of this.out.values()) {
      if (l.n === 0 || !l.stream) continue;
      if (!best || l.unackedBytes < best.unackedBytes) best = l;
    }
    const open = [...this.out.values()].filter((l) => l.n > 0 && l.stream).length;
    if ((!best || best.unackedBytes > 0) && open < this.mux!.lanes - 1) best = this.openServerLane();
    const n = best?.n ?? 0;
    this.keyLanes.set(key, { n, inflight: 0 });
    return n;
  }

  private openServerLane(): OutLane | null {
    if (!this.conn || !this.mux) return null;
    let n = 1;
    while (this.out.get(n)?.stream) n++;
    const stream = new LaneStream(this.conn, this.conn.newStream(), this.deps.domain, this.deps.limits, null, null);
    stream.writeRaw(xml('lane', { xmlns: NS_MUX, sid: this.mux.sid, n: String(n) }).toString());
    const lane = this.out.get(n) ?? new OutLane(n, null);
    lane.stream = stream;
    this.out.set(n, lane);
    stream.attach({
      onElement: (el) => {
        if (el.name === 'a' && el.getNS() === NS_ACK) this.acked(n, Number(el.attrs.h));
      },
      onClose: () => {
        if (lane.stream === stream) lane.stream = null;
      },
    });
    return lane;
  }

  /** The client reports h for our lane n (lane 0: the <a/> nonza; others: their reverse half). */
  acked(n: number, h: number): void {
    const lane = this.out.get(n);
    if (!lane || !Number.isInteger(h)) return;
    let drop = (lane.unacked.length - ((lane.sent - h) >>> 0)) | 0;
    if (drop > lane.unacked.length) drop = lane.unacked.length; // more than we sent: ignore the excess
    for (const item of lane.unacked.splice(0, Math.max(0, drop))) {
      lane.unackedBytes -= item.bytes;
      if (item.key === null) continue;
      const k = this.keyLanes.get(item.key);
      if (k && --k.inflight <= 0) this.keyLanes.delete(item.key);
    }
  }

  // ---- connection loss and resumption ------------------------------------------------------

  /** SessionKeeper: keep the session and every unacked stanza for resume_seconds. */
  connectionLost(reason: string): boolean {
    this.detach();
    this.expiry = setTimeout(() => this.session.end(`quic-ack: not resumed within ${this.deps.resumeSeconds}s (${reason})`), this.deps.resumeSeconds * 1000);
    this.expiry.unref();
    return true;
  }

  private detach(): void {
    // Stanzas already taken from a lane finish processing and are counted (see drained()).
    this.draining = Promise.all([this.draining, ...[...this.inLanes.values()].map((l) => l.chain)]).then(() => {});
    if (this.mux && this.conn) this.conn.muxes.delete(this.mux.sid);
    this.mux = null;
    this.conn = null;
    for (const l of this.inLanes.values()) l.stream.finish('connection lost');
    this.inLanes.clear();
    for (const l of this.out.values()) {
      l.stream?.finish('connection lost');
      l.stream = null;
    }
    this.keyLanes.clear();
  }

  private draining: Promise<void> = Promise.resolve();

  /** Resolves once every stanza taken from a lost connection's lanes is handled and counted. */
  async drained(): Promise<void> {
    this.detach();
    await this.draining;
  }

  /**
   * A new connection resumes the session (conn null: a TCP stream, where everything is lane 0).
   * reported: h the client holds for our lanes. Returns h
   * we hold for the client's lanes of the old connection, then re-sends (after the caller wrote
   * <resumed/>) every stanza past the client's counts, serialised on the new lane 0 in per-lane order.
   */
  takeOver(conn: QuicClientConnection | null, reported: Map<number, number>): Map<number, number> {
    if (this.expiry) clearTimeout(this.expiry);
    this.expiry = null;
    const held = new Map(this.inH);
    this.detach();
    this.conn = conn;
    const resend: OutItem[] = [];
    for (const lane of [...this.out.values()].sort((a, b) => a.n - b.n)) {
      if (reported.has(lane.n)) this.acked(lane.n, reported.get(lane.n)!);
      resend.push(...lane.unacked);
    }
    this.out = new Map([[0, new OutLane(0, null)]]);
    this.inH = new Map([[0, 0]]);
    this.lane0Acks.reset();
    this.pendingResend = resend;
    return held;
  }
  private pendingResend: OutItem[] = [];

  resendUnacked(): number {
    const items = this.pendingResend;
    this.pendingResend = [];
    for (const item of items) this.sendOut(item.el, item.at);
    return items.length;
  }

  /** The session ended: every stanza the client never counted, in the order it was sent, once. */
  takeUnacked(): Array<{ stanza: Element; at: number }> {
    const items = [...this.pendingResend, ...[...this.out.values()].flatMap((l) => l.unacked)];
    this.pendingResend = [];
    this.out = new Map([[0, new OutLane(0, null)]]);
    // Each lane is in order already; a stable sort by time interleaves the lanes.
    return items.sort((a, b) => a.at - b.at).map((i) => ({ stanza: i.el, at: i.at }));
  }

  /** The lane-0 <a/> from the client. */
  ackLane0(h: number): void {
    this.acked(0, h);
  }

  stop(): void {
    if (this.expiry) clearTimeout(this.expiry);
    this.detach();
    for (const off of this.offs.splice(0)) off();
  }
}
