// One client-to-server XML stream (RFC 6120): header -> STARTTLS -> SASL -> restart -> bind ->
// stanzas. Socket-level concerns live in the Transport; routing in the Router; the bound
// session (JID, presence, outbound path) in C2SSession, which this stream carries as its
// "link" and which may outlive it (XEP-0198 resumption: see c2s-session.ts).
import { randomBytes } from 'node:crypto';
import type { Transport } from '../net/transport.ts';
import { createStreamParser } from '../xml/parser.ts';
import type { StreamParser } from '../xml/stream-parser.ts';
import { XmlParseError } from '../xml/stream-parser.ts';
import { Element, xml } from '../xml/element.ts';
import { NS } from '../xml/namespaces.ts';
import { Jid, parseJid, jid as makeJid, JidError } from '../jid/index.ts';
import type { ClientSession } from '../router/session.ts';
import { StanzaError, errorReply } from '../stanza/errors.ts';
import { StreamError, streamClose, streamErrorXml, streamHeader, type StreamErrorCondition } from './framing.ts';
import { SaslNegotiation } from './sasl-negotiation.ts';
import type { C2SDeps } from './c2s-deps.ts';
import { C2SSession, type SessionLink } from './c2s-session.ts';
import { ReadGate, StreamRateLimits, type RateLimitSettings } from './limits.ts';
import type { XmlLimits } from '../xml/limits.ts';
import { lazyChild } from '../observability/lazy-log.ts';
import { sweeperEvery, type Sweepable } from './sweeper.ts';

type State = 'await-header' | 'negotiating' | 'closed';

/**
 * Settings objects derived from a config section, made once per section and shared by every
 * stream (each stream kept its own copy: ~100 bytes per idle connection).
 */
function sharedFor<T>(cache: WeakMap<object, T>, section: object, make: () => T): T {
  let v = cache.get(section);
  if (v === undefined) cache.set(section, (v = make()));
  return v;
}
const xmlLimitsOf = new WeakMap<object, XmlLimits>();
const rateSettingsOf = new WeakMap<object, RateLimitSettings>();

/** Inbound back-pressure thresholds, in stanzas waiting to be handled. */
const INBOUND_HIGH = 64;
const INBOUND_LOW = 16;

export class C2SStream implements SessionLink, Sweepable {
  readonly id: string;
  private state: State = 'await-header';
  private parser!: StreamParser;
  private streamId = '';
  private domain = '';
  private headerSent = false;
  private sasl: SaslNegotiation | null = null;
  private authenticated: string | null = null; // username
  /** The session this stream carries once bound (or resumed). */
  private session: C2SSession | null = null;
  /** Set by a nonza handler's ctx.resume(); 'session/resumed' fires after the handler. */
  private resumedNow: C2SSession | null = null;
  /** Set by a nonza handler's ctx.bindResumed(); 'session/bound' fires after the handler. */
  private boundNow: C2SSession | null = null;
  private lastActivity = Date.now();
  /** Cleared once a session is bound; idle checks run on a shared sweeper (stream/sweeper.ts). */
  private authDeadline: NodeJS.Timeout | null = null;
  private sweeper: ReturnType<typeof sweeperEvery> | null = null;
  private readonly log;
  /** Stanzas from the client are processed one at a time, in order (RFC 6120 §10.1). */
  private inbound: Promise<void> = Promise.resolve();
  /** State of pre-authentication iq handlers (XEP-0077 registration), see features.ts; made on first use. */
  private preAuthState: Map<string, unknown> | null = null;
  /** Stanza and byte rate limits (stream/limits.ts) and who is holding reads. */
  private readonly limits: StreamRateLimits;
  private readonly gate: ReadGate;

  constructor(private readonly transport: Transport, private readonly deps: C2SDeps) {
    this.id = transport.id;
    // Built only when a line is written: most idle connections never log again after login.
    this.log = lazyChild(deps.log, { conn: this.id, listener: transport.listener, ip: transport.remoteAddress });
    const c = deps.config.c2s;
    this.limits = new StreamRateLimits(sharedFor(rateSettingsOf, c, () => ({ stanzaRate: c.stanza_rate, stanzaBurst: c.stanza_burst, byteRate: c.byte_rate, byteBurst: c.byte_burst })));
    this.gate = new ReadGate(() => transport.pauseReading(), () => transport.resumeReading());
    this.log.debug('connection opened');
    deps.metrics.connections.inc({ listener: transport.listener });
    deps.metrics.connectionsTotal.inc({ listener: transport.listener });
    this.resetParser();
    transport.onData((chunk) => {
      this.lastActivity = Date.now();
      if (this.session?.isLink(this)) this.session.touch();
      const wait = this.limits.bytesRead(typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length);
      if (wait > 0) {
        if (!this.gate.isHeld('byte_rate')) this.deps.metrics.rateLimited.inc({ direction: 'c2s', limit: 'bytes', action: 'throttled' });
        this.gate.holdFor('byte_rate', wait);
      }
      this.parser.write(chunk);
    });
    transport.onClose((reason) => this.onTransportClosed(reason));
    this.startTimers();
  }

  get secure(): boolean {
    return this.transport.secure;
  }
  get remoteAddress(): string {
    return this.transport.remoteAddress;
  }
  get isBound(): boolean {
    return this.session !== null;
  }

  private resetParser(): void {
    const l = this.deps.config.limits;
    this.parser = createStreamParser(
      {
        onStreamStart: (name, attrs) => this.guard(() => this.onStreamStart(name, attrs)),
        onStanza: (el) => this.enqueue(el),
        // RFC 6120 §4.4: stanzas that arrived before </stream:stream> are still handled, in order.
        onStreamEnd: () => {
          this.inbound = this.inbound.then(() => this.closeGracefully());
        },
        onError: (err: XmlParseError) => {
          this.deps.metrics.parseErrors.inc({ condition: err.condition });
          this.log.info({ condition: err.condition, reason: err.message }, 'XML stream error');
          this.streamError(err.condition, err.message);
        },
      },
      sharedFor(xmlLimitsOf, l, () => ({ maxStanzaBytes: l.max_stanza_size, maxDepth: l.max_depth, maxAttributes: l.max_attributes, maxAttributeLength: l.max_attribute_length })),
      { framing: this.transport.framing },
    );
    this.state = 'await-header';
  }

  private startTimers(): void {
    const c = this.deps.config.c2s;
    this.authDeadline = setTimeout(() => {
      this.authDeadline = null;
      if (!this.session && this.state !== 'closed') this.streamError('connection-timeout', 'Authentication took too long');
    }, c.auth_timeout * 1000);
    this.authDeadline.unref();
    this.sweeper = sweeperEvery(Math.max(1000, Math.min(c.keepalive_interval || 30, 30) * 1000));
    this.sweeper.add(this);
  }

  /** A new session under `full` (bind, or a session handed over by another node): routed from now on. */
  private startSession(full: Jid): C2SSession {
    const session = new C2SSession(full, this, this.deps);
    this.session = session;
    this.clearAuthDeadline();
    this.deps.router.sessions.add(session);
    this.deps.metrics.sessions.set(this.deps.router.sessions.size);
    return session;
  }

  /** A session is bound: the authentication deadline no longer applies. */
  private clearAuthDeadline(): void {
    if (this.authDeadline) clearTimeout(this.authDeadline);
    this.authDeadline = null;
  }

  /** Sweepable: idle timeout and whitespace keepalive, checked once per sweeper period. */
  sweep(now: number): void {
    const c = this.deps.config.c2s;
    const idle = now - this.lastActivity;
    // Silence this long means the peer is most likely gone: the stream counts as unfinished
    // (XEP-0198 §6), so a resumable session hibernates rather than ends.
    if (idle > c.idle_timeout * 1000) this.streamError('connection-timeout', 'Idle for too long', undefined, false);
    else if (c.keepalive_interval > 0 && idle > c.keepalive_interval * 1000 && this.transport.framing === 'stream' && this.headerSent) this.transport.write(' ');
  }

  private guard(fn: () => void | Promise<void>): void {
    try {
      const r = fn();
      if (r instanceof Promise) r.catch((e) => this.onFailure(e));
    } catch (e) {
      this.onFailure(e);
    }
  }

  private onFailure(e: unknown): void {
    if (e instanceof StreamError) return this.streamError(e.condition, e.text, e.appCondition);
    this.log.error({ err: e }, 'internal error on stream');
    this.streamError('internal-server-error');
  }

  /**
   * Stanzas from the client wait here to be handled in order. Past INBOUND_HIGH waiting ones the
   * socket stops being read until the queue drains to INBOUND_LOW, so a fast writer is slowed by
   * TCP flow control instead of growing server memory (RFC 6120 §13.12).
   */
  private enqueue(el: Element): void {
    if (this.state === 'closed') return;
    let task: () => void | Promise<void> = () => this.onElement(el);
    if (this.authenticated && (el.name === 'message' || el.name === 'presence' || el.name === 'iq') && el.getNS() === NS.client) {
      // Rate limits count stanzas when they arrive, not when they are handled.
      const verdict = this.limits.stanza();
      if (verdict.kind === 'close') return this.floodClose();
      if (verdict.kind === 'refuse') {
        this.gate.holdFor('stanza_rate', verdict.waitMs);
        task = () => this.refuseOverRate(el);
      }
    }
    if (++this.inboundPending >= INBOUND_HIGH) this.gate.hold('backlog');
    this.inbound = this.inbound
      .then(task)
      .catch((e) => this.onFailure(e))
      .finally(() => {
        if (--this.inboundPending <= INBOUND_LOW) this.gate.release('backlog');
      });
  }
  private inboundPending = 0;

  // RFC 6120 §8.3.3.12 policy-violation, type wait: the stanza was not handled; retry later.
  private refuseOverRate(el: Element): void {
    if (this.state === 'closed') return;
    this.deps.metrics.rateLimited.inc({ direction: 'c2s', limit: 'stanzas', action: 'refused' });
    if (this.limits.refusedInRow === 1) this.log.warn({ stanza_rate: this.limits.settings.stanzaRate, stanza_burst: this.limits.settings.stanzaBurst }, 'client over its stanza rate: refusing stanzas with policy-violation');
    this.session?.stanzaIn(el); // XEP-0198: a refused stanza has still been handled
    if (this.session && el.attrs.from === undefined) el.attrs.from = this.session.jid.toString();
    const reply = errorReply(el, new StanzaError('policy-violation', 'Too many stanzas: slow down', 'wait'));
    if (!reply) return;
    if (this.session) this.session.send(reply);
    else this.writeEl(reply);
  }

  private floodClose(): void {
    this.deps.metrics.rateLimited.inc({ direction: 'c2s', limit: 'stanzas', action: 'closed' });
    this.log.warn({ stanza_rate: this.limits.settings.stanzaRate, stanza_burst: this.limits.settings.stanzaBurst }, 'client kept flooding past its stanza rate: closing the stream');
    this.streamError('policy-violation', 'Stanza rate limit exceeded');
  }

  // RFC 6120 §4.7: validate the initiating stream header, then answer with ours and the features.
  private onStreamStart(name: string, attrs: Record<string, string>): void {
    const ws = this.transport.framing === 'websocket';
    this.streamId = randomBytes(12).toString('hex');
    const to = attrs.to ?? '';
    let domain = '';
    try {
      domain = to ? parseJid(to).domain : '';
    } catch {
      /* reported below as host-unknown */
    }
    this.domain = domain && this.deps.isLocalDomain(domain) ? domain : this.deps.defaultDomain;
    if (!ws) {
      if (name !== 'stream:stream' && name.endsWith(':stream')) throw new StreamError('bad-namespace-prefix');
      if (name !== 'stream:stream' || attrs['xmlns:stream'] !== NS.stream) throw new StreamError('invalid-namespace');
      if (attrs.xmlns !== NS.client) throw new StreamError('invalid-namespace', 'Client streams use jabber:client');
    } else if (attrs.xmlns !== NS.framing) throw new StreamError('invalid-namespace');
    this.sendHeader();
    if (!domain || !this.deps.isLocalDomain(domain)) throw new StreamError('host-unknown', to ? `${to} is not served here` : 'The stream header needs a to attribute');
    if (attrs.version === undefined || !/^1\.\d+$/.test(attrs.version)) throw new StreamError('unsupported-version');
    this.state = 'negotiating';
    this.writeEl(this.featuresElement());
  }

  private sendHeader(): void {
    if (this.headerSent && this.state !== 'await-header') return;
    this.transport.write(streamHeader(this.transport.framing, { id: this.streamId || randomBytes(12).toString('hex'), from: this.domain || this.deps.defaultDomain }));
    this.headerSent = true;
  }

  private featuresElement(): Element {
    const f = xml('stream:features', { 'xmlns:stream': NS.stream });
    const c = this.deps.config.c2s;
    const needTls = c.require_encryption && !this.secure;
    if (!this.authenticated) {
      if (this.transport.canStartTls) f.append(xml('starttls', { xmlns: NS.tls }, needTls ? xml('required') : undefined));
      if (!needTls || !this.transport.canStartTls) {
        if (!this.sasl) this.sasl = new SaslNegotiation(this.transport, this.deps, this.domain, this.log);
        for (const el of this.sasl.featureElements()) f.append(el);
        for (const el of this.deps.features.collectPreAuth({ secure: this.secure, domain: this.domain })) f.append(el);
      }
      return f;
    }
    if (!this.session) {
      f.append(xml('bind', { xmlns: NS.bind }));
      // RFC 6121 legacy session establishment, advertised as optional (draft-cridland-xmpp-session).
      f.append(xml('session', { xmlns: NS.session }, xml('optional')));
    }
    for (const el of this.deps.features.collect('authenticated', { secure: this.secure })) f.append(el);
    return f;
  }

  private async onElement(el: Element): Promise<void> {
    if (this.state === 'closed') return;
    const ns = el.getNS();
    if (!this.authenticated) return this.onPreAuth(el, ns);
    const isStanza = (el.name === 'message' || el.name === 'presence' || el.name === 'iq') && ns === NS.client;
    if (isStanza) {
      this.deps.metrics.stanzasIn.inc({ kind: el.name });
      if (!this.session) {
        if (el.name === 'iq' && el.getChild('bind', NS.bind)) return this.onBind(el);
        throw new StreamError('not-authorized', 'Bind a resource before sending stanzas (RFC 6120 §7.1)');
      }
      this.session.stanzaIn(el);
      return this.onStanza(el, this.session);
    }
    const handler = this.deps.features.nonzaHandler(ns);
    if (handler) {
      const handled = await handler(this.session, el, {
        write: (e) => this.writeEl(e),
        bound: this.session !== null,
        account: this.authenticated === null ? null : { username: this.authenticated, domain: this.domain },
        resume: (s) => this.resume(s),
        bindResumed: (r) => this.bindResumed(r),
      });
      const resumed = this.resumedNow;
      this.resumedNow = null;
      if (resumed) void this.deps.hooks.fire('session/resumed', { session: resumed });
      const bound = this.boundNow;
      this.boundNow = null;
      if (bound) await this.deps.hooks.fire('session/bound', { session: bound });
      if (handled) return;
    }
    throw new StreamError('unsupported-stanza-type', `<${el.name}/> in ${ns ?? 'no namespace'} is not understood here`);
  }

  // XEP-0198 §5: this stream takes over an existing session of the same account; the session
  // keeps its JID, presence and routing entries. The caller has checked the account.
  private resume(target: ClientSession): void {
    if (this.session || this.state === 'closed') throw new StreamError('policy-violation', 'This stream already has a session');
    if (!(target instanceof C2SSession) || target.isEnded) throw new Error('not a live client session');
    const old = target.attach(this);
    this.session = target;
    this.clearAuthDeadline();
    this.resumedNow = target;
    this.log.info({ jid: target.jid.toString(), replaced: old?.id }, 'session resumed');
    // §5: "If the former stream is resumed and the server still has the stream ... open at this
    // time, the server SHOULD send a 'conflict' stream error and close that stream."
    old?.close('conflict', 'The session was resumed from another connection');
  }

  // XEP-0198 §5 on another cluster node: a session handed over by the node it hibernated on is
  // bound here under the same full JID; the caller (sm module) checked the account.
  private bindResumed(resource: string): C2SSession {
    if (this.session || this.state === 'closed' || !this.authenticated) throw new StreamError('policy-violation', 'This stream cannot take a session');
    const full = makeJid(this.authenticated, this.domain, resource);
    this.deps.router.sessions.getLocal(full)?.close('conflict', 'Replaced by a resumed session');
    const session = this.startSession(full);
    this.boundNow = session;
    this.log.info({ jid: full.toString() }, 'session resumed from another node');
    return session;
  }

  private async onPreAuth(el: Element, ns: string | undefined): Promise<void> {
    if (el.name === 'starttls' && ns === NS.tls) {
      if (!this.transport.canStartTls) throw new StreamError('policy-violation', 'TLS is already in place');
      this.transport.write(`<proceed xmlns="${NS.tls}"/>`);
      this.resetParser();
      // Reset before the handshake: the client's new stream header may be read and answered
      // (creating the SASL negotiation) before the code after the await runs.
      this.headerSent = false;
      this.sasl = null;
      try {
        await this.transport.startTls();
      } catch (e) {
        this.log.info({ reason: (e as Error).message }, 'TLS handshake failed');
        return this.closeNow('TLS handshake failed');
      }
      this.log.debug('TLS established');
      return;
    }
    if (ns === NS.sasl && (el.name === 'auth' || el.name === 'response' || el.name === 'abort')) {
      if (!this.sasl) throw new StreamError('policy-violation', 'Negotiate TLS first');
      const outcome = await this.sasl.handle(el);
      if (outcome.kind === 'success') {
        this.authenticated = outcome.username;
        this.log.info({ user: `${outcome.username}@${this.domain}` }, 'authenticated');
        this.resetParser(); // RFC 6120 §6.4.6: stream restart after SASL success
        this.headerSent = false;
        this.sasl = null; // done for good: an authenticated stream never reaches onPreAuth again
      } else if (outcome.kind === 'close') {
        throw new StreamError('policy-violation', 'Too many failed authentication attempts');
      }
      return;
    }
    // XEP-0077 §3.1: registration iqs arrive before authentication; only on a secure stream.
    if (el.name === 'iq' && ns === NS.client && this.secure) {
      const payload = el.getChildElements().find((c) => c.name !== 'error');
      const handler = this.deps.features.preAuthIqHandler(payload?.getNS());
      if (payload && handler) {
        return handler(el, payload, {
          domain: this.domain,
          secure: this.secure,
          remoteAddress: this.transport.remoteAddress,
          state: (this.preAuthState ??= new Map()),
          write: (e) => this.writeEl(e),
          close: (condition, text) => this.streamError(condition as StreamErrorCondition, text),
        });
      }
    }
    throw new StreamError('not-authorized', 'Authenticate first');
  }

  // RFC 6120 §7: resource binding, with conflict handling per §7.7.2.2.
  private async onBind(iq: Element): Promise<void> {
    if (iq.attrs.type !== 'set') return this.writeEl(errorReply(iq, new StanzaError('bad-request'))!);
    const requested = iq.getChild('bind', NS.bind)?.getChildText('resource')?.trim();
    let full: Jid;
    try {
      full = makeJid(this.authenticated!, this.domain, requested || randomBytes(6).toString('base64url'));
    } catch (e) {
      if (e instanceof JidError) return this.writeEl(errorReply(iq, new StanzaError('bad-request', `Invalid resource: ${e.message}`))!);
      throw e;
    }
    const existing = this.deps.router.sessions.get(full);
    if (existing) {
      // A hibernating session (XEP-0198) always yields: its client evidently could not resume.
      if (this.deps.config.c2s.resource_conflict === 'refuse' && existing.connected) return this.writeEl(errorReply(iq, new StanzaError('conflict'))!);
      existing.close('conflict', 'Replaced by a new connection with the same resource');
    }
    const session = this.startSession(full);
    this.log.info({ jid: full.toString() }, 'resource bound');
    this.writeEl(xml('iq', { type: 'result', id: iq.attrs.id }, xml('bind', { xmlns: NS.bind }, xml('jid', {}, full.toString()))));
    await this.deps.hooks.fire('session/bound', { session });
  }

  private async onStanza(el: Element, session: C2SSession): Promise<void> {
    // RFC 6120 §8.1.2.1: the server stamps 'from' with the full JID; a client may only claim itself.
    const claimed = el.attrs.from;
    if (claimed !== undefined) {
      const j = (() => { try { return parseJid(claimed); } catch { return null; } })();
      if (!j || !(j.equals(session.jid) || j.equals(session.jid.bare()))) throw new StreamError('invalid-from');
    }
    el.attrs.from = session.jid.toString();
    if (el.attrs.to !== undefined && el.attrs.to.length === 0) delete el.attrs.to;
    if (el.name === 'iq' && el.getChild('session', NS.session) && el.attrs.type === 'set') {
      // Through the session, not straight to the wire: it is a stanza XEP-0198 counts.
      return session.send(xml('iq', { type: 'result', id: el.attrs.id, from: this.domain }));
    }
    if (el.name === 'presence' && el.attrs.to === undefined) this.updateOwnPresence(el, session);
    try {
      if (await this.deps.hooks.fire('client/stanza', { stanza: el, session })) return;
    } catch (err) {
      // A module refusing the stanza (blocking, limits...) answers the sender; the stream goes on.
      if (err instanceof StanzaError) return this.deps.router.bounce(el, err);
      throw err;
    }
    if (el.name === 'presence' && el.attrs.to === undefined) return;
    await this.deps.router.route(el, session);
  }

  // RFC 6121 §4.2 / §4.6: presence without 'to' sets this resource's availability and priority.
  private updateOwnPresence(el: Element, session: C2SSession): void {
    const type = el.attrs.type;
    if (type !== undefined && type !== 'unavailable') return;
    const wasAvailable = session.presence !== null;
    if (type === 'unavailable') session.presence = null;
    else {
      session.presence = el;
      const p = parseInt(el.getChildText('priority') ?? '0', 10);
      session.priority = Number.isFinite(p) ? Math.max(-128, Math.min(127, p)) : 0;
    }
    void this.deps.hooks.fire('presence/broadcast', { stanza: el, session, wasAvailable });
  }

  /** SessionLink.write: one element onto the wire, with back-pressure. */
  write(el: Element): void {
    this.writeEl(el);
  }

  private writeEl(el: Element): void {
    if (this.state === 'closed') return;
    this.transport.write(el.toString());
    const queued = this.transport.bufferedBytes();
    if (queued > this.deps.config.c2s.max_outbound_queue_bytes) {
      this.deps.metrics.slowConsumerDisconnects.inc();
      this.log.warn({ queued }, 'client is not reading: disconnecting');
      this.streamError('policy-violation', 'Too much unread data');
      this.transport.destroy();
    }
  }

  /** SessionLink.close / server shutdown: end the stream, with a stream error when a condition is given. */
  close(condition?: string, text?: string): void {
    if (condition) this.streamError(condition as StreamErrorCondition, text);
    else this.closeGracefully();
  }

  /**
   * Server shutdown: stop reading, finish handling the stanzas already read (they may be messages
   * the client was told are received, XEP-0198), then end the stream with <system-shutdown/>.
   * The session then ends cleanly, so unacknowledged stanzas go to offline storage (modules/sm).
   */
  async closeForShutdown(maxWaitMs: number): Promise<void> {
    if (this.state === 'closed') return;
    this.gate.hold('shutdown');
    const deadline = Date.now() + maxWaitMs;
    while (this.inboundPending > 0 && (this.state as State) !== 'closed' && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.inbound, new Promise((r) => (timer = setTimeout(r, deadline - Date.now())))]);
      clearTimeout(timer);
    }
    this.close('system-shutdown', 'Server is shutting down');
  }

  /** SessionLink.drop: the peer is considered gone (e.g. it stopped answering pings). */
  drop(reason: string): void {
    this.closeNow(reason);
  }

  /**
   * clean = false: the stream error is our verdict that the connection is dead (idle timeout),
   * so the session may hibernate like after any other unfinished stream (XEP-0198 §6).
   */
  private streamError(condition: StreamErrorCondition, text?: string, appCondition?: string, clean = true): void {
    if (this.state === 'closed') return;
    this.deps.metrics.streamErrors.inc({ condition });
    if (!this.headerSent) this.sendHeader();
    // Two writes: over WebSocket each frame carries exactly one element (RFC 7395 §3.3.3).
    this.transport.write(streamErrorXml(condition, text, appCondition));
    this.transport.write(streamClose(this.transport.framing));
    this.log.info({ condition, text }, 'stream error sent');
    this.shutdown(`stream error: ${condition}`, clean);
    this.transport.end();
  }

  private closeGracefully(): void {
    if (this.state === 'closed') return;
    if (!this.headerSent) this.sendHeader();
    this.transport.write(streamClose(this.transport.framing));
    this.shutdown('stream closed', true);
    this.transport.end();
  }

  /** Drop the connection without a closing handshake: an unfinished stream (XEP-0198 §6). */
  private closeNow(reason: string): void {
    this.shutdown(reason, false);
    this.transport.destroy();
  }

  private onTransportClosed(reason: string): void {
    // Reaching here with the stream still open means no closing handshake: the stream is unfinished.
    this.shutdown(reason, false);
    this.deps.metrics.connections.dec({ listener: this.transport.listener });
  }

  /**
   * The stream is over. Its session ends with it if the stream was closed on purpose (clean);
   * after an unfinished stream the session's keeper (XEP-0198) may keep it hibernating.
   */
  private shutdown(reason: string, clean: boolean): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.clearAuthDeadline();
    this.sweeper?.delete(this);
    this.gate.dispose();
    this.log.debug({ reason, clean }, 'stream closed');
    this.session?.linkClosed(this, reason, clean);
  }
}
