// Stream management on one client session (XEP-0198): counts what goes in and out, keeps the
// unacknowledged outbound stanzas, asks for acks, and keeps the session hibernating for
// resumption when its connection is lost (§5).
import { xml } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';
import type { ClientSession } from '../../router/session.ts';
import { StreamError } from '../../stream/framing.ts';
import { escapeAttr } from '../../xml/escape.ts';
import { AckQueue } from './ack-queue.ts';

export interface SmSettings {
  /** Most unacknowledged stanzas kept. */
  maxQueue: number;
  /** Send <r/> after this many stanzas without one. */
  ackRequestEvery: number;
  /** Send <r/> when stanzas have waited this long for an ack (ms; 0: never). */
  ackRequestIntervalMs: number;
}

/** Where outbound stanzas are counted: after stages that hold stanzas back (CSI), so only what goes on the wire counts. */
export const SM_STAGE_PRIORITY = 0;

export class ManagedSession {
  readonly queue = new AckQueue();
  private sinceRequest = 0;
  private requestScheduled = false;
  private lastAckAt = Date.now();
  private ticker: NodeJS.Timeout | null = null;
  private hibernation: NodeJS.Timeout | null = null;
  private isHibernating = false;
  private undo: (() => void)[] = [];

  constructor(
    readonly session: ClientSession,
    /** SM-ID when resumption was enabled (§5), else null. */
    readonly id: string | null,
    /** How long the session hibernates before it ends (ms). */
    readonly resumeTimeoutMs: number,
    private readonly settings: SmSettings,
    private readonly onHibernate: (ms: ManagedSession) => void,
  ) {}

  start(): void {
    const s = this.session;
    this.undo.push(s.addOutboundStage((stanza, next) => this.outbound(stanza, next), SM_STAGE_PRIORITY));
    // §4: the inbound counter starts once <enable/> (or <resume/>) is received.
    this.undo.push(s.onInbound(() => this.queue.countInbound()));
    if (this.id) s.setKeeper({ connectionLost: () => this.hibernate() });
    const every = this.settings.ackRequestIntervalMs;
    if (every > 0) {
      this.ticker = setInterval(() => {
        if (this.queue.unacked.length > 0 && Date.now() - this.lastAckAt >= every) this.requestAck();
      }, every);
      this.ticker.unref();
    }
  }

  stop(): void {
    for (const u of this.undo.splice(0)) u();
    if (this.ticker) clearInterval(this.ticker);
    if (this.hibernation) clearTimeout(this.hibernation);
    this.ticker = this.hibernation = null;
    this.session.setKeeper(null);
  }

  /** Connection lost, kept for resumption (stays true when it then ends by timeout). */
  get hibernating(): boolean {
    return this.isHibernating;
  }

  private outbound(stanza: Parameters<ClientSession['send']>[0], next: (s: typeof stanza) => void): void {
    if (this.queue.unacked.length >= this.settings.maxQueue) {
      // Keep the stanza: ending the session hands every queued stanza on (offline storage or an
      // error to its sender), so nothing is lost by refusing to queue more.
      this.queue.push(stanza);
      if (this.session.connected) this.session.close('resource-constraint', 'Too many unacknowledged stanzas (XEP-0198)');
      else this.session.end('stream management queue full while hibernating');
      return;
    }
    this.queue.push(stanza);
    next(stanza);
    if (++this.sinceRequest >= this.settings.ackRequestEvery) this.scheduleRequest();
  }

  // One <r/> after a burst of stanzas rather than one per stanza: wait for the current turn to end.
  private scheduleRequest(): void {
    if (this.requestScheduled) return;
    this.requestScheduled = true;
    setImmediate(() => {
      this.requestScheduled = false;
      if (this.queue.unacked.length > 0) this.requestAck();
    });
  }

  requestAck(): void {
    if (this.session.writeRaw(xml('r', { xmlns: NS.sm }))) this.sinceRequest = 0;
  }

  /** <a h/> from the client; §5: an h beyond what was sent ends the stream. */
  onAck(h: number): void {
    const outcome = this.queue.ack(h);
    if (!outcome.ok) throw handledCountTooHigh(outcome.h, outcome.sent);
    this.lastAckAt = Date.now();
  }

  /** <a h/> answering the client's <r/>. */
  ackElement() {
    return xml('a', { xmlns: NS.sm, h: String(this.queue.inbound) });
  }

  /** The session's keeper: lost connection → hibernate until resumed or resume_timeout passes. */
  private hibernate(): boolean {
    if (!this.id || this.session.connected) return false;
    if (this.hibernation) clearTimeout(this.hibernation);
    this.isHibernating = true;
    this.hibernation = setTimeout(() => {
      this.hibernation = null;
      this.session.end('stream management resumption timed out');
    }, this.resumeTimeoutMs);
    this.hibernation.unref();
    this.onHibernate(this);
    return true;
  }

  /**
   * §5: a new stream has taken the session over (the caller has applied the client's h): resend
   * what is still unacknowledged, as it was numbered before, and ask for an ack.
   */
  resumed(): void {
    if (this.hibernation) clearTimeout(this.hibernation);
    this.hibernation = null;
    this.isHibernating = false;
    this.lastAckAt = Date.now();
    for (const { stanza } of this.queue.unacked) this.session.writeRaw(stanza);
    if (this.queue.unacked.length > 0) this.requestAck();
  }
}

/** §5 (v1.6): the peer acknowledged more than it was sent. */
export function handledCountTooHigh(h: number, sent: number): StreamError {
  return new StreamError(
    'undefined-condition',
    `You acknowledged ${h} stanzas, but I only sent you ${sent} so far.`,
    `<handled-count-too-high xmlns="${NS.sm}" h="${escapeAttr(String(h))}" send-count="${escapeAttr(String(sent))}"/>`,
  );
}
