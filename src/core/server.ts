// The server process: wires config, storage, router, hooks, modules and listeners together,
// and shuts them down cleanly. This is the only file that knows how everything connects.
import type { Server as NetServer } from 'node:net';
import type { Config } from '../config/schema.ts';
import { Accounts } from '../accounts/index.ts';
import { HookBus } from '../hooks/bus.ts';
import type { HookEvents } from '../hooks/events.ts';
import { HttpRoutes } from '../http/routes.ts';
import { startHttp } from '../http/server.ts';
import { loadTls, type LoadedTls } from '../net/certs.ts';
import { listenTcp } from '../net/listeners.ts';
import type { TlsOptions } from '../net/tcp-transport.ts';
import { ConnectionGuard } from '../net/connection-guard.ts';
import { AuthThrottle } from '../accounts/auth-throttle.ts';
import { LoginBackoff } from '../stream/limits-auth.ts';
import { LogRing } from '../observability/log-ring.ts';
import { maskSecrets } from '../config/mask.ts';
import { websocketUpgrade } from '../net/websocket-transport.ts';
import type { Transport } from '../net/transport.ts';
import { createLogger, type Logger } from '../observability/log.ts';
import { createMetrics, type Metrics } from '../observability/metrics.ts';
import { startOriginDedupe } from '../net/quic/origin-dedupe.ts';
import { Router } from '../router/router.ts';
import { createStorage } from '../storage/index.ts';
import type { Storage } from '../storage/types.ts';
import { C2SStream } from '../stream/c2s.ts';
import type { C2SDeps } from '../stream/c2s-deps.ts';
import { StreamFeatures } from '../stream/features.ts';
import { DiscoRegistry } from './disco.ts';
import { S2S } from '../s2s/index.ts';
import { chainTrusted } from '../s2s/certs.ts';
import type { DetailedPeerCertificate } from 'node:tls';
import { startComponents, type Components } from '../s2s/component.ts';
import { ServiceRegistry } from './services.ts';
import { startModules, type RunningModules } from './modules.ts';
import { reloadModules, validateModules } from './reload-modules.ts';
import { ConfigError } from '../config/loader.ts';
import { readFileSync } from 'node:fs';
import type { RunningQuic } from '../net/quic/index.ts';

export class Server {
  readonly log: Logger;
  readonly metrics: Metrics = createMetrics();
  readonly hooks: HookBus<HookEvents>;
  readonly router: Router;
  readonly features = new StreamFeatures();
  readonly disco = new DiscoRegistry();
  readonly services = new ServiceRegistry();
  readonly http = new HttpRoutes();
  readonly startedAt = Date.now();
  readonly authThrottle: AuthThrottle;
  readonly loginBackoff: LoginBackoff;
  readonly logRing = new LogRing();
  storage!: Storage;
  accounts!: Accounts;
  tls!: LoadedTls;
  private listeners: NetServer[] = [];
  /** Live TLS options: replaced in place on reload so new connections get the new certificate. */
  private readonly tlsOpts: TlsOptions;
  private readonly s2sTls: TlsOptions;
  private modules: RunningModules | null = null;
  s2s: S2S | null = null;
  private components: Components | null = null;
  private quic: RunningQuic | null = null;
  private streams = new Set<C2SStream>();
  private c2sDeps: C2SDeps | null = null;
  private readonly domains: Set<string>;

  constructor(readonly config: Config, log?: Logger) {
    this.log = log ?? createLogger(config.log.level, config.log.format, process.stdout, this.logRing);
    this.domains = new Set(config.domains.map((d) => d.toLowerCase()));
    this.authThrottle = new AuthThrottle(config.c2s.auth_backoff_base_ms, config.c2s.auth_backoff_max_ms);
    this.loginBackoff = new LoginBackoff({ baseMs: config.c2s.auth_backoff_base_ms, maxMs: config.c2s.auth_backoff_max_ms });
    this.tlsOpts = { secureContext: undefined as unknown as TlsOptions['secureContext'], minVersion: config.tls.min_version, lowMemory: true };
    this.s2sTls = { secureContext: undefined as unknown as TlsOptions['secureContext'], minVersion: config.tls.min_version };
    this.hooks = new HookBus<HookEvents>((event, err) => this.log.error({ err, event }, 'hook handler failed'));
    this.services.provide('ops', {
      logTail: (n) => this.logRing.tail(n),
      federation: () => this.s2s?.status() ?? { outgoing: [], incoming: [] },
      configView: () => maskSecrets(this.config),
    });
    this.router = new Router({
      hooks: this.hooks,
      log: this.log,
      metrics: this.metrics,
      isLocalDomain: (d) => this.domains.has(d),
      accountExists: (u, d) => this.accounts.exists(u, d),
    });
  }

  async start(): Promise<void> {
    const c = this.config;
    this.storage = await createStorage(c, this.log);
    this.accounts = new Accounts(this.storage, c.c2s.scram_hashes, c.auth.scram_iterations);
    this.tls = await loadTls(c);
    this.log.info({ certificate: this.tls.paths.cert, names: this.tls.names, valid_to: this.tls.validTo }, 'TLS certificate loaded');
    this.http.add('/metrics', async (_req, res) => {
      res.writeHead(200, { 'content-type': this.metrics.registry.contentType });
      res.end(await this.metrics.registry.metrics());
    });
    // RFC 7395: a frame holds one stanza, so the frame limit is the stanza limit (plus room for the framing).
    this.http.addUpgrade('/xmpp-websocket', websocketUpgrade(c.limits.max_stanza_size + 1024, (t) => this.acceptClient(t)));
    this.modules = await startModules(this);
    const tlsOpts = this.tlsOpts;
    tlsOpts.secureContext = this.tls.secureContext;
    const onTransport = (t: Transport) => this.acceptClient(t);
    const admission = {
      guard: new ConnectionGuard({ maxTotal: c.c2s.max_connections, maxPerIp: c.c2s.max_connections_per_ip, ratePerIp: c.c2s.connection_rate_per_ip, burstPerIp: c.c2s.connection_burst_per_ip }),
      onRefused: (listener: string, reason: string, ip: string) => {
        this.metrics.connectionsRefused.inc({ listener, reason });
        this.log.warn({ listener, reason, ip }, 'connection refused by admission limits');
      },
    };
    if (c.c2s.port) this.listeners.push(...(await listenTcp({ name: 'c2s', port: c.c2s.port, interfaces: c.c2s.interfaces, directTls: false }, tlsOpts, onTransport, admission)));
    if (c.c2s.direct_tls_port) this.listeners.push(...(await listenTcp({ name: 'c2s_direct_tls', port: c.c2s.direct_tls_port, interfaces: c.c2s.interfaces, directTls: true }, tlsOpts, onTransport, admission)));
    if (c.s2s.enabled) {
      const s2sTls = Object.assign(this.s2sTls, { secureContext: this.tls.s2sContext, verifyPeer: (cert: DetailedPeerCertificate) => chainTrusted(cert, this.tls.s2sCa) });
      this.s2s = new S2S({ config: c, hooks: this.hooks, router: this.router, log: this.log.child({ component: 's2s' }), serverTls: s2sTls, clientTls: s2sTls, metrics: this.metrics, quicCredentials: () => ({ certPem: this.tls.certPem, keyPem: readFileSync(this.tls.paths.key, 'utf8'), caPems: this.tls.s2sCa }) });
      await this.s2s.start();
    }
    // XEP-0467: XMPP over QUIC, opt-in ([quic] enabled).
    // Loaded only when enabled: @matrixai/quic alone adds ~29 MiB of resident memory.
    if (c.quic.enabled) this.quic = await (await import('../net/quic/index.ts')).startQuic({ config: c, features: this.features, router: this.router, hooks: this.hooks, log: this.log, certPem: this.tls.certPem, keyPem: readFileSync(this.tls.paths.key, 'utf8'), acceptClient: (t) => this.acceptClient(t) });
    // quic-ack's duplicate backstop (docs/quic.md §5.4): checks every client message, so it hooks in here.
    if (c.quic.enabled) startOriginDedupe({ hooks: this.hooks, registry: this.metrics.registry, log: this.log.child({ component: 'quic' }) });
    if (c.components.port && Object.keys(c.components.secrets).length) this.components = await startComponents(c, this.router, this.log.child({ component: 'components' }));
    this.listeners.push(...(await startHttp(this.http, { port: c.http.port, httpsPort: c.http.https_port, interfaces: c.http.interfaces, secureContext: () => this.tls.secureContext, log: this.log })));
    this.log.info({ domains: c.domains, c2s: c.c2s.port, c2s_direct_tls: c.c2s.direct_tls_port, s2s: c.s2s.enabled ? c.s2s.port : 0, components: this.components ? c.components.port : 0, http: c.http.port, https: c.http.https_port, data_dir: c.data_dir }, 'parley ready');
  }

  acceptClient(t: Transport): C2SStream {
    // One deps bag for every stream (made at the first connection, after start()), not one each.
    const s = new C2SStream(t, (this.c2sDeps ??= {
      config: this.config,
      defaultDomain: this.config.domains[0],
      isLocalDomain: (d) => this.domains.has(d),
      router: this.router,
      hooks: this.hooks,
      features: this.features,
      accounts: this.accounts,
      log: this.log,
      metrics: this.metrics,
      authThrottle: this.authThrottle,
      loginBackoff: this.loginBackoff,
    }));
    this.streams.add(s);
    t.onClose(() => this.streams.delete(s));
    return s;
  }

  /**
   * SIGHUP / `parley ctl reload`: re-read certificates, the log level and module options without
   * dropping connections. Existing streams keep their TLS session; new ones get the new
   * certificate. Module options are validated first: an invalid one refuses the whole reload (the
   * running configuration stays). What cannot change live is logged as needing a restart
   * (core/reload-modules.ts). Resolves with one line per module change.
   */
  async reload(next: Config): Promise<string[]> {
    let moduleOpts: Map<string, unknown>;
    try {
      moduleOpts = validateModules(next);
    } catch (e) {
      this.log.error({ err: e instanceof ConfigError ? e.problems : e }, 'reload refused: configuration is invalid');
      throw e;
    }
    const tls = await loadTls(this.config);
    this.log.level = next.log.level;
    this.config.log.level = next.log.level;
    this.tls = tls;
    this.tlsOpts.secureContext = this.tls.secureContext;
    this.s2sTls.secureContext = this.tls.s2sContext;
    const modules = this.modules ? await reloadModules(this.modules, this.config, next, moduleOpts, this.log) : [];
    this.log.info({ certificate: this.tls.paths.cert, sha256: this.tls.fingerprint256, log_level: next.log.level, modules }, 'configuration reloaded');
    return modules;
  }

  /** SIGTERM: stop accepting, close every stream with system-shutdown, stop modules, close storage. */
  async stop(): Promise<void> {
    this.log.info('shutting down');
    for (const l of this.listeners) l.close();
    // Each stream first handles what it has already read (bounded), then gets <system-shutdown/>.
    await Promise.all([...this.streams].map((s) => s.closeForShutdown(5000)));
    await new Promise((r) => setTimeout(r, this.streams.size ? 200 : 0));
    await this.s2s?.stop();
    await this.quic?.stop();
    await this.components?.stop();
    await this.modules?.stop();
    await this.storage?.close();
    this.log.info('stopped');
  }
}
