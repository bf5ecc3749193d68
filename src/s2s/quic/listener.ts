// The s2s QUIC listener (XEP-0467, ALPN xmpp-server): its own UDP port ([s2s] quic_port), because
// it asks the peer for a certificate (for SASL EXTERNAL), and @matrixai/quic then fails every
// peer that sends none, which C2S clients do (specs/quic.md §1 spike item). Every bidi stream a
// peer opens with a stream header is an inbound s2s stream (s2s/inbound.ts); a stream that opens
// with <lane/> is a mux lane of one (receiver.ts).
import type { Config } from '../../config/schema.ts';
import type { Logger as PinoLogger } from '../../observability/log.ts';
import type { Metrics } from '../../observability/metrics.ts';
import { QuicClientConnection } from '../../net/quic/c2s-connection.ts';
import type { QuicStreamTransport } from '../../net/quic/stream-transport.ts';
import type { S2STransport } from '../xml-conn.ts';
import { acceptAnyCert, quicPeerCert } from './peer-cert.ts';
import { endpointConfig } from '../../net/quic/transport-config.ts';
import { ALPN_S2S, listenQuic, type RunningQuic } from '../../net/quic/listen.ts';

export interface S2SQuicListenerDeps {
  config: Config;
  log: PinoLogger;
  metrics?: Metrics;
  certPem: string;
  keyPem: string;
  caPems(): string[];
  /** A new inbound s2s stream on a QUIC stream of `connection`. */
  onStream(t: S2STransport, connection: QuicClientConnection): void;
}

export async function startS2SQuic(deps: S2SQuicListenerDeps): Promise<RunningQuic> {
  const c = deps.config;
  const log = deps.log.child({ listener: 's2s_quic' });
  const l = c.limits;
  const limits = { maxStanzaBytes: l.max_stanza_size, maxDepth: l.max_depth, maxAttributes: l.max_attributes, maxAttributeLength: l.max_attribute_length };
  return listenQuic({
    label: 's2s QUIC listener',
    interfaces: c.s2s.interfaces,
    port: c.s2s.quic_port,
    alpn: ALPN_S2S,
    config: { key: deps.keyPem, cert: deps.certPem, verifyPeer: true, verifyCallback: acceptAnyCert, applicationProtos: [ALPN_S2S], ...endpointConfig(c.quic) },
    log,
    onConnection: (conn) => {
      deps.metrics?.s2sQuic.inc({ direction: 'in', event: 'connected' });
      const qc: QuicClientConnection = new QuicClientConnection(conn, {
        log,
        listener: 's2s_quic',
        maxSessions: c.quic.max_sessions_per_connection,
        domain: c.domains[0],
        limits,
        acceptClient: (t) => deps.onStream(Object.assign(t as QuicStreamTransport, { peerCertificate: () => quicPeerCert(conn, deps.caPems()) }), qc),
      });
    },
  });
}
