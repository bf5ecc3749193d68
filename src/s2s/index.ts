// Federation: routes stanzas for remote domains over outgoing s2s streams (queueing while a
// stream is set up, bouncing on failure), accepts incoming s2s streams, and answers dialback.
import { randomBytes } from 'node:crypto';
import type { Server as NetServer } from 'node:net';
import type { Config } from '../config/schema.ts';
import type { HookBus } from '../hooks/bus.ts';
import type { HookEvents } from '../hooks/events.ts';
import type { TcpTransport, TlsOptions } from '../net/tcp-transport.ts';
import { listenTcp } from '../net/listeners.ts';
import type { Logger } from '../observability/log.ts';
import type { Router } from '../router/router.ts';
import { StanzaError } from '../stanza/errors.ts';
import type { Element } from '../xml/element.ts';
import { PeerRateLimits } from '../net/rate-limit-peers.ts';
import type { Metrics } from '../observability/metrics.ts';
import { InboundStream } from './inbound.ts';
import { OutboundStream } from './outbound.ts';
import { resolveTargets } from './resolve.ts';
import type { S2STransport } from './xml-conn.ts';
// The QUIC parts load @matrixai/quic (~29 MiB resident): imported only when s2s over QUIC is on.
import type { QuicDialer } from './quic/dial.ts';
import { MuxReceiver } from './quic/receiver.ts';
import type { QuicClientConnection } from '../net/quic/c2s-connection.ts';

interface Route {
  stream: OutboundStream;
  queue: Element[];
  timer: NodeJS.Timeout;
}

export interface S2SDeps {
  config: Config;
  hooks: HookBus<HookEvents>;
  router: Router;
  log: Logger;
  serverTls: TlsOptions;
  clientTls: TlsOptions;
  /** Counters for rate-limit actions (optional for tools). */
  metrics?: Metrics;
  /** Our certificate and the CAs trusted for peers, for s2s over QUIC ([s2s] quic). */
  quicCredentials?: () => { certPem: string; keyPem: string; caPems: string[] };
}

export class S2S {
  private routes = new Map<string, Route>();
  private inbound = new Set<InboundStream>();
  private listeners: NetServer[] = [];
  private failures = new Map<string, { count: number; until: number }>();
  private readonly secret: string;
  private idleTimer: NodeJS.Timeout | null = null;
  /** Stanza and byte rate limits per peer address, shared by all its incoming streams. */
  private readonly peerLimits: PeerRateLimits;
  private quicListener: { ports: number[]; stop(): Promise<void> } | null = null;
  private quicDialer: QuicDialer | null = null;

  constructor(private readonly deps: S2SDeps) {
    this.secret = deps.config.s2s.dialback_secret ?? randomBytes(32).toString('hex');
    const c = deps.config.s2s;
    this.peerLimits = new PeerRateLimits({ stanzaRate: c.stanza_rate, stanzaBurst: c.stanza_burst, byteRate: c.byte_rate, byteBurst: c.byte_burst });
  }

  async start(): Promise<void> {
    const cred = this.deps.quicCredentials;
    if (this.deps.config.s2s.quic && cred) {
      const { QuicDialer } = await import('./quic/dial.ts');
      this.quicDialer = new QuicDialer({ config: this.deps.config, log: this.deps.log, metrics: this.deps.metrics, credentials: cred });
    }
    const c = this.deps.config.s2s;
    this.deps.hooks.on('route/remote', (r) => {
      const local = r.from.domain;
      if (!this.deps.router.isLocal(local)) return true; // never relay for other servers (RFC 6120 §13.7)
      this.send(local, r.to.domain, r.stanza);
      return true;
    }, -100);
    const onTransport = (directTls: boolean, quic?: QuicClientConnection) => (t: S2STransport) => {
      if (this.connectionCount() >= c.max_connections) return t.destroy();
      const peer = this.peerLimits.acquire(t.remoteAddress);
      t.onClose(() => peer.release());
      const s = new InboundStream(t, directTls, {
        extension: quic ? (st) => new MuxReceiver(st, quic, this.deps.config.quic.max_lanes, this.deps.log, this.deps.metrics) : undefined,
        limits: peer.limits,
        metrics: this.deps.metrics,
        config: this.deps.config,
        secret: this.secret,
        log: this.deps.log,
        isLocalDomain: (d) => this.deps.config.domains.includes(d),
        verifyWithAuthority: (local, remote, id, key) => this.verify(local, remote, id, key),
        route: (el) => void this.deps.router.route(el),
        onClosed: (st) => this.inbound.delete(st),
      });
      this.inbound.add(s);
    };
    // The same object stays in use so a certificate reload (SIGHUP) reaches new connections.
    const tls = Object.assign(this.deps.serverTls, { requestCert: true });
    // listenTcp yields TcpTransports (typed as Transport), which carry peerCertificate().
    const onTcp = (directTls: boolean) => (t: import('../net/transport.ts').Transport) => onTransport(directTls)(t as TcpTransport);
    if (c.port) this.listeners.push(...(await listenTcp({ name: 's2s', port: c.port, interfaces: c.interfaces, directTls: false }, tls, onTcp(false))));
    if (c.direct_tls_port) this.listeners.push(...(await listenTcp({ name: 's2s_direct_tls', port: c.direct_tls_port, interfaces: c.interfaces, directTls: true }, tls, onTcp(true))));
    if (c.quic && c.quic_port && cred) {
      const { certPem, keyPem } = cred();
      const { startS2SQuic } = await import('./quic/listener.ts');
      this.quicListener = await startS2SQuic({ config: this.deps.config, log: this.deps.log, metrics: this.deps.metrics, certPem, keyPem, caPems: () => cred().caPems, onStream: (t, qc) => onTransport(true, qc)(t) });
    }
    this.idleTimer = setInterval(() => this.closeIdle(), 10_000);
    this.idleTimer.unref();
  }

  connectionCount(): number {
    return this.routes.size + this.inbound.size;
  }

  /** Domains with a ready outgoing stream, for the admin page and metrics. */
  status(): { outgoing: { local: string; remote: string; state: string; method: string | null; via: string | null }[]; incoming: string[] } {
    return {
      outgoing: [...this.routes.values()].map((r) => ({ local: r.stream.local, remote: r.stream.remote, state: r.stream.state, method: r.stream.method, via: r.stream.via })),
      incoming: [...this.inbound].flatMap((s) => [...s.authorized.keys()]),
    };
  }

  private send(local: string, remote: string, stanza: Element): void {
    const key = `${local}|${remote}`;
    const route = this.routes.get(key) ?? this.open(local, remote);
    if (!route) return this.deps.router.bounce(stanza, new StanzaError('remote-server-not-found', `${remote} could not be reached recently; retrying later`));
    if (route.stream.state === 'ready') return route.stream.send(stanza);
    if (route.queue.length >= this.deps.config.s2s.max_queue) return this.deps.router.bounce(stanza, new StanzaError('resource-constraint', 'Too many stanzas waiting for this server'));
    route.queue.push(stanza);
  }

  private open(local: string, remote: string): Route | null {
    const key = `${local}|${remote}`;
    const f = this.failures.get(remote);
    if (f && Date.now() < f.until) return null;
    const stream = new OutboundStream(local, remote, {
      config: this.deps.config,
      tls: this.deps.clientTls,
      secret: this.secret,
      log: this.deps.log,
      onReady: (o) => {
        const r = this.routes.get(key);
        if (!r || r.stream !== o) return;
        clearTimeout(r.timer);
        this.failures.delete(remote);
        for (const st of r.queue.splice(0)) o.send(st);
      },
      onFailed: (o, condition, reason) => this.drop(key, o, condition, reason),
      onClosed: (o) => this.drop(key, o, 'remote-server-not-found', 'connection closed'),
    });
    const timer = setTimeout(() => stream.timeout(), this.deps.config.s2s.connect_timeout * 1000);
    timer.unref();
    const route: Route = { stream, queue: [], timer };
    this.routes.set(key, route);
    const dial = this.quicDialer?.dialerFor(local, remote);
    resolveTargets(remote, this.deps.config.s2s.routes, this.deps.config.s2s.dns_servers).then(
      (targets) => stream.connect(targets, dial),
      () => stream.connect([], dial),
    );
    return route;
  }

  /** Bounce what was queued (never drop silently) and back off before the next attempt. */
  private drop(key: string, o: OutboundStream, condition: 'remote-server-not-found' | 'remote-server-timeout', reason: string): void {
    const r = this.routes.get(key);
    if (!r || r.stream !== o) return;
    this.routes.delete(key);
    clearTimeout(r.timer);
    if (o.state !== 'ready' && r.queue.length) {
      const prev = this.failures.get(o.remote)?.count ?? 0;
      // Exponential backoff, 2 s doubling to 5 min, only after a failed attempt.
      this.failures.set(o.remote, { count: prev + 1, until: Date.now() + Math.min(300_000, 2000 * 2 ** prev) });
    }
    for (const st of r.queue.splice(0)) this.deps.router.bounce(st, new StanzaError(condition, `${o.remote}: ${reason}`));
  }

  private async verify(local: string, remote: string, streamId: string, key: string): Promise<boolean> {
    const k = `${local}|${remote}`;
    const route = this.routes.get(k) ?? this.open(local, remote);
    if (!route) return false;
    const timeout = new Promise<boolean>((r) => setTimeout(() => r(false), this.deps.config.s2s.connect_timeout * 1000).unref());
    return Promise.race([route.stream.verify(local, remote, streamId, key), timeout]);
  }

  private closeIdle(): void {
    const limit = this.deps.config.s2s.idle_timeout * 1000;
    const now = Date.now();
    for (const r of this.routes.values()) if (r.stream.state === 'ready' && r.stream.conn && now - r.stream.conn.lastActivity > limit) r.stream.close();
    for (const s of this.inbound) if (now - s.conn.lastActivity > limit) s.conn.close();
  }

  async stop(): Promise<void> {
    if (this.idleTimer) clearInterval(this.idleTimer);
    for (const l of this.listeners) l.close();
    for (const r of this.routes.values()) r.stream.close();
    for (const s of this.inbound) s.conn.streamError('system-shutdown');
    // QUIC peers get their stream error before the connections go.
    if (this.quicListener) await new Promise((r) => setTimeout(r, 50));
    await this.quicListener?.stop();
  }
}
