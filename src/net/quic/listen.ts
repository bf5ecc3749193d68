// A Parley QUIC listener on every configured interface: one QUICServer per address with one
// ALPN, connections with any other ALPN closed (no_application_protocol), accepted connections
// tuned (transport-config.ts) and tracked so stop() closes them. Used by the c2s listener
// (index.ts, xmpp-client) and the s2s listener (s2s/quic/listener.ts, xmpp-server).
import { QUICServer, events, type QUICConnection } from '@matrixai/quic';
import Logger, { LogLevel } from '@matrixai/logger';
import type { Logger as PinoLogger } from '../../observability/log.ts';
import { serverCrypto } from './crypto.ts';
import { negotiatedAlpn } from './native.ts';
import { coalesceSends, enlargeSocketBuffers } from './transport-config.ts';

export const ALPN_C2S = 'xmpp-client';
export const ALPN_S2S = 'xmpp-server';

export interface RunningQuic {
  ports: number[];
  stop(): Promise<void>;
}

export interface QuicListenOptions {
  /** For log lines ("<label> started") and the library's own logger. */
  label: string;
  interfaces: string[];
  port: number;
  alpn: string;
  /** QUICServer config: certificate, peer verification, endpointConfig(...). */
  config: ConstructorParameters<typeof QUICServer>[0]['config'];
  log: PinoLogger;
  /** An accepted connection with our ALPN. */
  onConnection(conn: QUICConnection): void;
}

export async function listenQuic(o: QuicListenOptions): Promise<RunningQuic> {
  const servers: QUICServer[] = [];
  const connections = new Set<QUICConnection>();
  for (const host of o.interfaces) {
    const server = new QUICServer({ logger: new Logger(o.label, LogLevel.WARN), crypto: serverCrypto(), config: o.config });
    server.addEventListener(events.EventQUICServerConnection.name, (e) => {
      const conn = (e as events.EventQUICServerConnection).detail;
      const alpn = negotiatedAlpn(conn);
      if (alpn !== o.alpn) {
        o.log.info({ alpn }, `QUIC connection without the ${o.alpn} ALPN: closing`);
        void conn.stop({ isApp: false, errorCode: 0x178 as never, force: true }).catch(() => {});
        return;
      }
      connections.add(conn);
      coalesceSends(conn);
      conn.addEventListener(events.EventQUICConnectionStopped.name, () => connections.delete(conn), { once: true });
      // A peer's normal close raises an error event with code 0; nothing to report then.
      conn.addEventListener(events.EventQUICConnectionError.name, () => {});
      o.onConnection(conn);
    });
    await server.start({ host, port: o.port });
    enlargeSocketBuffers(server);
    servers.push(server);
    o.log.info({ host, port: server.port }, `${o.label} started`);
  }
  return {
    ports: servers.map((s) => s.port),
    async stop() {
      for (const conn of connections) await conn.stop({ isApp: true, errorCode: 0, force: true }).catch(() => {});
      for (const s of servers) await s.stop({ force: true }).catch(() => {});
    },
  };
}
