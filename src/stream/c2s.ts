// One client-to-server XML stream (RFC 6120): header -> STARTTLS -> SASL -> restart -> bind ->
// stanzas. Socket-level concerns live in the Transport; routing in the Router.
import { randomBytes } from 'node:crypto';
import type { Transport } from '../net/transport.ts';
import { createStreamParser } from '../xml/parser.ts';
import type { StreamParser } from '../xml/stream-parser.ts';
import { XmlParseError } from '../xml/stream-parser.ts';
import { Element, xml } from '../xml/element.ts';
import { NS } from '../xml/namespaces.ts';
import { Jid, parseJid, jid as makeJid, JidError } from '../jid/index.ts';
import type { LocalSession } from '../router/session.ts';
import { StanzaError, errorReply } from '../stanza/errors.ts';
import { StreamError, streamClose, streamErrorXml, streamHeader, type StreamErrorCondition } from './framing.ts';
import { SaslNegotiation } from './sasl-negotiation.ts';
import type { C2SDeps } from './c2s-deps.ts';

type State = 'await-header' | 'negotiating' | 'closed';

export class C2SStream implements LocalSession {
  readonly id: string;
  readonly features = new Map<string, unknown>();
  presence: Element | null = null;
  priority = 0;
  interested = false;
  private state: State = 'await-header';
  private parser!: StreamParser;
  private streamId = '';
  private domain = '';
  private headerSent = false;
  private sasl: SaslNegotiation | null = null;
  private authenticated: string | null = null; // username
  private bound: Jid | null = null;
  private lastActivity = Date.now();
  private timers: NodeJS.Timeout[] = [];
  private readonly log;
  /** Stanzas from the client are processed one at a time, in order (RFC 6120 §10.1). */
  private inbound: Promise<void> = Promise.resolve();

  constructor(private readonly transport: Transport, private readonly deps: C2SDeps) {
    this.id = transport.id;
    this.log = deps.log.child({ conn: this.id, listener: transport.listener, ip: transport.remoteAddress });
    this.log.debug('connection opened');
    deps.metrics.connections.inc({ listener: transport.listener });
    deps.metrics.connectionsTotal.inc({ listener: transport.listener });
    this.resetParser();
    transport.onData((chunk) => {
      this.lastActivity = Date.now();
      this.parser.write(chunk);
    });
    transport.onClose((reason) => this.onTransportClosed(reason));
    this.startTimers();
  }

  get jid(): Jid {
    if (!this.bound) throw new Error('session not bound');
    return this.bound;
  }
  get secure(): boolean {
    return this.transport.secure;
  }
  get isBound(): boolean {
    return this.bound !== null;
  }

  private resetParser(): void {
    const l = this.deps.config.limits;
    this.parser = createStreamParser(
      {
        onStreamStart: (name, attrs) => this.guard(() => this.onStreamStart(name, attrs)),
        onStanza: (el) => this.enqueue(el),
        onStreamEnd: () => this.closeGracefully(),
        onError: (err: XmlParseError) => {
          this.deps.metrics.parseErrors.inc({ condition: err.condition });
          this.log.info({ condition: err.condition, reason: err.message }, 'XML stream error');
          this.streamError(err.condition, err.message);
        },
      },
      { maxStanzaBytes: l.max_stanza_size, maxDepth: l.max_depth, maxAttributes: l.max_attributes, maxAttributeLength: l.max_attribute_length },
      { framing: this.transport.framing },
    );
    this.state = 'await-header';
  }

  private startTimers(): void {
    const c = this.deps.config.c2s;
    const authDeadline = setTimeout(() => {
      if (!this.bound && this.state !== 'closed') this.streamError('connection-timeout', 'Authentication took too long');
    }, c.auth_timeout * 1000);
    const tick = setInterval(() => {
      const idle = Date.now() - this.lastActivity;
      if (idle > c.idle_timeout * 1000) this.streamError('connection-timeout', 'Idle for too long');
      else if (c.keepalive_interval > 0 && idle > c.keepalive_interval * 1000 && this.transport.framing === 'stream' && this.headerSent) this.transport.write(' ');
    }, Math.max(1000, Math.min(c.keepalive_interval || 30, 30) * 1000));
    authDeadline.unref();
    tick.unref();
    this.timers.push(authDeadline, tick);
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
    if (e instanceof StreamError) return this.streamError(e.condition, e.text);
    this.log.error({ err: e }, 'internal error on stream');
    this.streamError('internal-server-error');
  }

  private enqueue(el: Element): void {
    this.inbound = this.inbound.then(() => this.onElement(el)).catch((e) => this.onFailure(e));
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
      }
      return f;
    }
    if (!this.bound) {
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
      if (!this.bound) {
        if (el.name === 'iq' && el.getChild('bind', NS.bind)) return this.onBind(el);
        throw new StreamError('not-authorized', 'Bind a resource before sending stanzas (RFC 6120 §7.1)');
      }
      return this.onStanza(el);
    }
    const handler = this.deps.features.nonzaHandler(ns);
    if (handler && (await handler(this.bound ? this : null, el, { write: (e) => this.writeEl(e), bound: this.bound !== null }))) return;
    throw new StreamError('unsupported-stanza-type', `<${el.name}/> in ${ns ?? 'no namespace'} is not understood here`);
  }

  private async onPreAuth(el: Element, ns: string | undefined): Promise<void> {
    if (el.name === 'starttls' && ns === NS.tls) {
      if (!this.transport.canStartTls) throw new StreamError('policy-violation', 'TLS is already in place');
      this.transport.write(`<proceed xmlns="${NS.tls}"/>`);
      this.resetParser();
      try {
        await this.transport.startTls();
      } catch (e) {
        this.log.info({ reason: (e as Error).message }, 'TLS handshake failed');
        return this.closeNow('TLS handshake failed');
      }
      this.headerSent = false;
      this.sasl = null;
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
      } else if (outcome.kind === 'close') {
        throw new StreamError('policy-violation', 'Too many failed authentication attempts');
      }
      return;
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
    if (existing && existing !== this) {
      if (this.deps.config.c2s.resource_conflict === 'refuse') return this.writeEl(errorReply(iq, new StanzaError('conflict'))!);
      existing.close('conflict', 'Replaced by a new connection with the same resource');
    }
    this.bound = full;
    this.deps.router.sessions.add(this);
    this.deps.metrics.sessions.set(this.deps.router.sessions.size);
    this.log.info({ jid: full.toString() }, 'resource bound');
    this.writeEl(xml('iq', { type: 'result', id: iq.attrs.id }, xml('bind', { xmlns: NS.bind }, xml('jid', {}, full.toString()))));
    await this.deps.hooks.fire('session/bound', { session: this });
  }

  private async onStanza(el: Element): Promise<void> {
    // RFC 6120 §8.1.2.1: the server stamps 'from' with the full JID; a client may only claim itself.
    const claimed = el.attrs.from;
    if (claimed !== undefined) {
      const j = (() => { try { return parseJid(claimed); } catch { return null; } })();
      if (!j || !(j.equals(this.jid) || j.equals(this.jid.bare()))) throw new StreamError('invalid-from');
    }
    el.attrs.from = this.jid.toString();
    if (el.attrs.to !== undefined && el.attrs.to.length === 0) delete el.attrs.to;
    if (el.name === 'iq' && el.getChild('session', NS.session) && el.attrs.type === 'set') {
      return this.writeEl(xml('iq', { type: 'result', id: el.attrs.id, from: this.domain }));
    }
    if (el.name === 'presence' && el.attrs.to === undefined) this.updateOwnPresence(el);
    if (await this.deps.hooks.fire('client/stanza', { stanza: el, session: this })) return;
    if (el.name === 'presence' && el.attrs.to === undefined) return;
    await this.deps.router.route(el, this);
  }

  // RFC 6121 §4.2 / §4.6: presence without 'to' sets this resource's availability and priority.
  private updateOwnPresence(el: Element): void {
    const type = el.attrs.type;
    if (type !== undefined && type !== 'unavailable') return;
    const wasAvailable = this.presence !== null;
    if (type === 'unavailable') this.presence = null;
    else {
      this.presence = el;
      const p = parseInt(el.getChildText('priority') ?? '0', 10);
      this.priority = Number.isFinite(p) ? Math.max(-128, Math.min(127, p)) : 0;
    }
    void this.deps.hooks.fire('presence/broadcast', { stanza: el, session: this, wasAvailable });
  }

  /** LocalSession.send: queue a stanza for the client, with back-pressure. */
  send(stanza: Element): void {
    if (this.state === 'closed') return;
    this.deps.metrics.stanzasOut.inc({ kind: stanza.name });
    this.writeEl(stanza);
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

  close(condition?: string, text?: string): void {
    if (condition) this.streamError(condition as StreamErrorCondition, text);
    else this.closeGracefully();
  }

  private streamError(condition: StreamErrorCondition, text?: string): void {
    if (this.state === 'closed') return;
    this.deps.metrics.streamErrors.inc({ condition });
    if (!this.headerSent) this.sendHeader();
    // Two writes: over WebSocket each frame carries exactly one element (RFC 7395 §3.3.3).
    this.transport.write(streamErrorXml(condition, text));
    this.transport.write(streamClose(this.transport.framing));
    this.log.info({ condition, text }, 'stream error sent');
    this.shutdown(`stream error: ${condition}`);
    this.transport.end();
  }

  private closeGracefully(): void {
    if (this.state === 'closed') return;
    if (!this.headerSent) this.sendHeader();
    this.transport.write(streamClose(this.transport.framing));
    this.shutdown('stream closed');
    this.transport.end();
  }

  private closeNow(reason: string): void {
    this.shutdown(reason);
    this.transport.destroy();
  }

  private onTransportClosed(reason: string): void {
    this.shutdown(reason);
    this.deps.metrics.connections.dec({ listener: this.transport.listener });
  }

  private shutdown(reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    for (const t of this.timers) clearTimeout(t);
    this.log.debug({ reason }, 'stream closed');
    if (this.bound && this.deps.router.sessions.remove(this)) {
      this.deps.metrics.sessions.set(this.deps.router.sessions.size);
      if (this.presence) {
        const unavailable = xml('presence', { type: 'unavailable', from: this.jid.toString(), xmlns: NS.client });
        this.presence = null;
        void this.deps.hooks.fire('presence/broadcast', { stanza: unavailable, session: this, wasAvailable: true });
      }
      void this.deps.hooks.fire('session/closed', { session: this, reason });
    }
  }
}
