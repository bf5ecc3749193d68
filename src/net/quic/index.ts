// XMPP over QUIC (XEP-0467) for clients: the UDP listener (ALPN xmpp-client, TLS 1.3 from QUIC,
// SNI served with our certificate), and Parley's two extensions offered only on QUIC streams:
// quic-ack (delivery ticks and resumption) and mux (several QUIC streams per session).
// Config: [quic] enabled, port, interfaces, max_streams, max_sessions_per_connection, max_lanes,
// resume_seconds, idle_timeout. Stream features: <ack xmlns='urn:xmpp:quic-ack:0'/>,
// <mux xmlns='urn:xmpp:quic-mux:0' lanes/>. Nonzas: urn:xmpp:quic-ack:0, urn:xmpp:quic-mux:0.
import { QUICServer, events, type QUICConnection } from '@matrixai/quic';
import Logger, { LogLevel } from '@matrixai/logger';
import type { Config } from '../../config/schema.ts';
import type { HookBus } from '../../hooks/bus.ts';
import type { HookEvents } from '../../hooks/events.ts';
import type { Logger as PinoLogger } from '../../observability/log.ts';
import type { Router } from '../../router/router.ts';
import type { StreamFeatures } from '../../stream/features.ts';
import type { Transport } from '../transport.ts';
import { serverCrypto } from './crypto.ts';
import { QuicClientConnection } from './c2s-connection.ts';
import { registerQuicNonzas } from './nonzas.ts';
import { negotiatedAlpn } from './native.ts';
import { coalesceSends, endpointConfig, enlargeSocketBuffers } from './transport-config.ts';

export const ALPN_C2S = 'xmpp-client';
export const ALPN_S2S = 'xmpp-server';

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

export interface RunningQuic {
  ports: number[];
  stop(): Promise<void>;
}

export async function startQuic(deps: QuicDeps): Promise<RunningQuic> {
  const c = deps.config.quic;
  const log = deps.log.child({ component: 'quic' });
  const limits = deps.config.limits;
  const xmlLimits = { maxStanzaBytes: limits.max_stanza_size, maxDepth: limits.max_depth, maxAttributes: limits.max_attributes, maxAttributeLength: limits.max_attribute_length };
  const offNonzas = registerQuicNonzas({ features: deps.features, router: deps.router, hooks: deps.hooks, log, limits: xmlLimits, domain: deps.config.domains[0], config: c });
  const servers: QUICServer[] = [];
  const connections = new Set<QUICConnection>();
  for (const host of c.interfaces) {
    const server = new QUICServer({
      logger: new Logger('quic', LogLevel.WARN),
      crypto: serverCrypto(),
      config: {
        key: deps.keyPem,
        cert: deps.certPem,
        verifyPeer: false,
        applicationProtos: [ALPN_C2S],
        ...endpointConfig(c),
      },
    });
    server.addEventListener(events.EventQUICServerConnection.name, (e) => {
      const conn = (e as events.EventQUICServerConnection).detail;
      const alpn = negotiatedAlpn(conn);
      if (alpn !== ALPN_C2S) {
        log.info({ alpn }, 'QUIC connection without the xmpp-client ALPN: closing');
        void conn.stop({ isApp: false, errorCode: 0x178 as never, force: true }).catch(() => {});
        return;
      }
      connections.add(conn);
      coalesceSends(conn);
      conn.addEventListener(events.EventQUICConnectionStopped.name, () => connections.delete(conn), { once: true });
      // A peer's normal close raises an error event with code 0; nothing to report then.
      conn.addEventListener(events.EventQUICConnectionError.name, () => {});
      new QuicClientConnection(conn, { log, acceptClient: deps.acceptClient, maxSessions: c.max_sessions_per_connection, domain: deps.config.domains[0], limits: xmlLimits });
    });
    await server.start({ host, port: c.port });
    enlargeSocketBuffers(server);
    servers.push(server);
    log.info({ host, port: server.port }, 'QUIC listener started');
  }
  return {
    ports: servers.map((s) => s.port),
    async stop() {
      offNonzas();
      for (const conn of connections) await conn.stop({ isApp: true, errorCode: 0, force: true }).catch(() => {});
      for (const s of servers) await s.stop({ force: true }).catch(() => {});
    },
  };
}
