// Two Parley processes federating over QUIC (XEP-0467, ALPN xmpp-server), each with its TCP s2s
// port too (the fallback), static TCP routes and static QUIC routes to each other, loopback only.
import { startServer, testCert, testKey, type RunningServer } from './server.ts';
import { freePorts } from './ports.ts';

export const D1 = 'one.parley.test';
export const D2 = 'two.parley.test';

export interface PairOptions {
  /** 'external': CA-issued certificates and require_valid_certs (SASL EXTERNAL); 'dialback': the self-signed fixture. */
  auth: 'dialback' | 'external';
  /** [s2s] quic_lanes on both (1 = single-stream XEP-0467). */
  lanes?: number;
  /** [s2s] quic on the second server (default true). */
  quicOnB?: boolean;
  /**
   * [s2s] quic_fallback_delay_ms (default 2000 here: tests that expect QUIC must not lose the race
   * to TCP on a loaded machine, where a QUIC handshake can take longer than the 250 ms default).
   */
  fallbackDelayMs?: number;
  extraA?: Record<string, unknown>;
  extraB?: Record<string, unknown>;
}

export interface Pair {
  a: RunningServer;
  b: RunningServer;
  quicPortB: number;
}

export function caTls(): { certificate: string; key: string } {
  return { certificate: process.env.PARLEY_TEST_CA_CERT!, key: process.env.PARLEY_TEST_CA_KEY! };
}

export async function startQuicPair(o: PairOptions): Promise<Pair> {
  const external = o.auth === 'external';
  const tls = external ? caTls() : { certificate: testCert, key: testKey };
  const trust = external ? { ca_file: process.env.PARLEY_TEST_CA!, require_valid_certs: true } : {};
  // TCP ports double as UDP ports for QUIC; freePorts checks TCP, UDP on loopback is free alike here.
  const [tcpA, tcpB, udpA, udpB] = await freePorts(4);
  const lanes = o.lanes ?? 1;
  const s2s = (tcp: number, udp: number, quic: boolean, peer: string, peerTcp: number, peerUdp: number) => ({
    port: tcp,
    quic,
    quic_port: udp,
    quic_lanes: lanes,
    quic_fallback_delay_ms: o.fallbackDelayMs ?? 2000,
    routes: { [peer]: `127.0.0.1:${peerTcp}` },
    quic_routes: { [peer]: `127.0.0.1:${peerUdp}` },
    ...trust,
  });
  const a = await startServer({ domains: [D1], config: { tls, s2s: s2s(tcpA, udpA, true, D2, tcpB, udpB), ...(o.extraA ?? {}) } });
  let b: RunningServer;
  try {
    b = await startServer({ domains: [D2], config: { tls, s2s: s2s(tcpB, udpB, o.quicOnB ?? true, D1, tcpA, udpA), ...(o.extraB ?? {}) } });
  } catch (e) {
    await a.stop();
    throw e;
  }
  return { a, b, quicPortB: udpB };
}

/** The "s2s outgoing stream ready" log lines of a server, parsed. */
export function readyLines(s: RunningServer): Array<Record<string, unknown>> {
  return s.logs().split('\n').filter((l) => l.includes('"msg":"s2s outgoing stream ready"')).map((l) => JSON.parse(l.slice(l.indexOf('{'))) as Record<string, unknown>);
}
