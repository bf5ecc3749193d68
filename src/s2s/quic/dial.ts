// Outgoing s2s over QUIC (XEP-0467, ALPN xmpp-server): where to connect ([s2s] quic_routes, else
// the domain on UDP 443), the QUIC handshake (3 s hard limit, our certificate presented for SASL
// EXTERNAL), lane 0 of the stream, and the per-domain "QUIC broken" memory (24 h) that makes
// later attempts go straight to TCP (specs/quic.md §5).
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { QUICClient } from '@matrixai/quic';
import Logger, { LogLevel } from '@matrixai/logger';
import type { Config } from '../../config/schema.ts';
import type { Logger as PinoLogger } from '../../observability/log.ts';
import type { Metrics } from '../../observability/metrics.ts';
import { clientCrypto } from '../../net/quic/crypto.ts';
import { QuicClientConnection } from '../../net/quic/c2s-connection.ts';
import { QuicStreamTransport } from '../../net/quic/stream-transport.ts';
import { domainToAscii } from '../../jid/index.ts';
import type { Dialed, OutboundStream } from '../outbound.ts';
import { parseRoute } from '../resolve.ts';
import { acceptAnyCert, quicPeerCert } from './peer-cert.ts';
import { coalesceSends, endpointConfig, enlargeSocketBuffers } from '../../net/quic/transport-config.ts';
import { happyEyeballs } from './happy-eyeballs.ts';
import { ALPN_S2S } from '../../net/quic/listen.ts';
import { MuxSender } from './sender.ts';

export const QUIC_HANDSHAKE_TIMEOUT_MS = 3000;
export const QUIC_BROKEN_MS = 24 * 3600 * 1000;

export interface QuicDialerDeps {
  config: Config;
  log: PinoLogger;
  metrics?: Metrics;
  credentials(): { certPem: string; keyPem: string; caPems: string[] };
}

export class QuicDialer {
  private broken = new Map<string, number>();

  constructor(private readonly deps: QuicDialerDeps) {}

  /** A `dial` for OutboundStream.connect, or undefined when QUIC is off or known broken for remote. */
  dialerFor(local: string, remote: string): ((tcp: () => Promise<Dialed>) => Promise<Dialed>) | undefined {
    if (!this.deps.config.s2s.quic) return undefined;
    const until = this.broken.get(remote);
    if (until && Date.now() < until) return undefined;
    const m = this.deps.metrics?.s2sQuic;
    return (tcp) => happyEyeballs(() => this.dial(local, remote), tcp, this.deps.config.s2s.quic_fallback_delay_ms, {
      quicFailed: (e) => {
        this.broken.set(remote, Date.now() + QUIC_BROKEN_MS);
        m?.inc({ direction: 'out', event: 'quic_failed' });
        this.deps.log.info({ remote, reason: e.message }, 's2s over QUIC failed: using TCP, and only TCP for this domain for 24 h');
      },
      tcpWon: () => m?.inc({ direction: 'out', event: 'tcp_fallback' }),
    }).then((d) => {
      if (d.via === 'quic') m?.inc({ direction: 'out', event: 'connected' });
      return d;
    });
  }

  isBroken(remote: string): boolean {
    return (this.broken.get(remote) ?? 0) > Date.now();
  }

  private async dial(local: string, remote: string): Promise<Dialed> {
    const c = this.deps.config;
    const target = parseRoute(c.s2s.quic_routes[remote] ?? `${domainToAscii(remote)}:443`);
    if (!target) throw new Error(`bad s2s.quic_routes entry for ${remote}`);
    const host = isIP(target.host) ? target.host : (await lookup(target.host)).address;
    const localHost = host === '127.0.0.1' || host === '::1' ? host : isIP(host) === 6 ? '::' : '0.0.0.0';
    const cred = this.deps.credentials();
    const client = await QUICClient.createQUICClient(
      {
        host,
        port: target.port,
        localHost,
        serverName: domainToAscii(remote),
        crypto: clientCrypto(),
        logger: new Logger('s2s-quic-out', LogLevel.WARN),
        config: { key: cred.keyPem, cert: cred.certPem, verifyPeer: true, verifyCallback: acceptAnyCert, applicationProtos: [ALPN_S2S], ...endpointConfig(c.quic) },
      },
      { timer: QUIC_HANDSHAKE_TIMEOUT_MS },
    );
    const conn = client.connection;
    enlargeSocketBuffers(client);
    coalesceSends(conn);
    const destroy = () => void client.destroy({ isApp: true, errorCode: 0, force: true }).catch(() => {});
    const l = c.limits;
    // The receiving server opens no XML streams toward us on this connection: maxSessions 0 refuses them.
    const qc = new QuicClientConnection(conn, {
      log: this.deps.log.child({ remote, via: 'quic' }),
      listener: 's2s_quic_out',
      acceptClient: (t) => t.destroy(),
      maxSessions: 0,
      domain: local,
      limits: { maxStanzaBytes: l.max_stanza_size, maxDepth: l.max_depth, maxAttributes: l.max_attributes, maxAttributeLength: l.max_attribute_length },
    });
    const stream = qc.newStream();
    const t = new QuicStreamTransport(stream, 's2s_quic_out', `${host}:${target.port}`, { connection: qc }, { prefix: [], reader: stream.readable.getReader() });
    const transport = Object.assign(t, { peerCertificate: () => quicPeerCert(conn, cred.caPems) });
    transport.onClose(() => setTimeout(destroy, 100).unref());
    const lanes = c.s2s.quic_lanes;
    return {
      transport,
      secured: true,
      via: 'quic',
      discard: destroy,
      extension: lanes > 1 ? (o: OutboundStream) => new MuxSender(o, qc, lanes, this.deps.log, this.deps.metrics) : undefined,
    };
  }
}
