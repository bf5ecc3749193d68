// XMPP over QUIC (XEP-0467) for clients: the UDP listener (ALPN xmpp-client, TLS 1.3 from QUIC,
// SNI served with our certificate), and Parley's two extensions offered only on QUIC streams:
// quic-ack (delivery ticks and resumption) and mux (several QUIC streams per session).
// Config: [quic] enabled, port, interfaces, max_streams, max_sessions_per_connection, max_lanes,
// resume_seconds, idle_timeout. Stream features: <ack xmlns='urn:xmpp:quic-ack:0'/>,
// <mux xmlns='urn:xmpp:quic-mux:0' lanes/>. Nonzas: urn:xmpp:quic-ack:0, urn:xmpp:quic-mux:0.
import type { Config } from '../../config/schema.ts';
import type { HookBus } from '../../hooks/bus.ts';
import type { HookEvents } from '../../hooks/events.ts';
import type { Logger as PinoLogger } from '../../observability/log.ts';
import type { Router } from '../../router/router.ts';
import type { StreamFeatures } from '../../stream/features.ts';
import type { Transport } from '../transport.ts';
import { QuicClientConnection } from './c2s-connection.ts';
import { registerQuicNonzas } from './nonzas.ts';
import { endpointConfig } from './transport-config.ts';
import { ALPN_C2S, listenQuic, type RunningQuic } from './listen.ts';

export { ALPN_C2S, ALPN_S2S, type RunningQuic } from './listen.ts';

export interface QuicDeps {
  config: Config;
  features: StreamFeatures;
  router: Router;
  hooks: HookBus<HookEvents>;
  log: PinoLogger;
  certPem: string;
  keyPem: string;
  acceptClient(t: Transport): void;
}

export async function startQuic(deps: QuicDeps): Promise<RunningQuic> {
  const c = deps.config.quic;
  const log = deps.log.child({ component: 'quic' });
  const limits = deps.config.limits;
  const xmlLimits = { maxStanzaBytes: limits.max_stanza_size, maxDepth: limits.max_depth, maxAttributes: limits.max_attributes, maxAttributeLength: limits.max_attribute_length };
  const offNonzas = registerQuicNonzas({ features: deps.features, router: deps.router, hooks: deps.hooks, log, limits: xmlLimits, domain: deps.config.domains[0], config: c });
  const running = await listenQuic({
    label: 'QUIC listener',
    interfaces: c.interfaces,
    port: c.port,
    alpn: ALPN_C2S,
    config: { key: deps.keyPem, cert: deps.certPem, verifyPeer: false, applicationProtos: [ALPN_C2S], ...endpointConfig(c) },
    log,
    onConnection: (conn) => new QuicClientConnection(conn, { log, acceptClient: deps.acceptClient, maxSessions: c.max_sessions_per_connection, domain: deps.config.domains[0], limits: xmlLimits }),
  });
  return {
    ports: running.ports,
    async stop() {
      offNonzas();
      await running.stop();
    },
  };
}
