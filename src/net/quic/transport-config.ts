// Transport settings and tuning shared by every @matrixai/quic endpoint Parley runs (the c2s
// listener, QuicXmppClient, s2s over QUIC). Issue #10, measured with bench/quic-throughput.ts
// (docs/quic.md §7): @matrixai/quic 2.0.9 spends ~0.25 ms of JavaScript per UDP datagram (a lock
// with abort signals and timers around every recv, event objects, a timer reset per send), and it
// calls quiche's send() after every received datagram and every stream read or write. A receiver
// therefore answers each data packet with its own ACK packet, the sender pays the full recv path
// for each of those ACKs, and a writer's small writes each leave as a small packet. On a loaded
// machine the process then waits for a CPU (it looks "timer-bound": ~25% CPU, mostly runnable but
// not running), and one stream moved ~0.3-0.5 MiB/s on loopback.
import type { QUICClient, QUICConnection, QUICConfig, QUICServer } from '@matrixai/quic';
import type { Socket } from 'node:dgram';
import type { Config } from '../../config/schema.ts';

/** Config for both ends (server adds its certificate, client its CA and verification). */
export function quicTransportConfig() {
  return {
    // Per-stream windows well below the connection's: one bulk lane cannot take all credit. Both
    // exceed the bandwidth-delay product we target (1 MiB per 50 ms RTT = 20 MiB/s per stream).
    initialMaxStreamDataBidiRemote: 1024 * 1024,
    initialMaxStreamDataBidiLocal: 1024 * 1024,
    maxStreamWindow: 1024 * 1024,
    initialMaxData: 16 * 1024 * 1024,
    maxConnectionWindow: 16 * 1024 * 1024,
  } satisfies Partial<QUICConfig>;
}

/**
 * The settings of a Parley server's QUIC endpoints (the c2s listener, s2s listener and s2s dialer)
 * from `[quic]` (specs/quic.md §2 limits), on top of the shared stream windows above.
 */
export function endpointConfig(q: Config['quic']) {
  const idle = q.idle_timeout * 1000;
  return {
    // Stanzas are not replay-safe: no 0-RTT. XEP-0467 §2 rule 8: connection migration is used.
    enableEarlyData: false,
    disableActiveMigration: false,
    maxIdleTimeout: idle,
    keepAliveIntervalTime: Math.min(30_000, idle / 4),
    initialMaxStreamsBidi: q.max_streams,
    initialMaxStreamsUni: 0,
    ...quicTransportConfig(),
  } satisfies Partial<QUICConfig>;
}

/** UDP socket buffers we ask for (Linux caps them at net.core.rmem_max / wmem_max). */
export const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

const coalesced = new WeakSet<QUICConnection>();

/**
 * Makes a connection's send() run at most once per event-loop turn, after the poll phase: the
 * datagrams that arrived together are all fed to quiche first, then one send() answers them with
 * one ACK, and the stream writes made meanwhile leave in full packets. The library's own calls
 * (`await this.send()` after recv, stream reads/writes, timers, close) return at once and the
 * flush follows in setImmediate; its timer and error handling still run inside the real send().
 * Apply after the handshake (QUICServer's connection event, after createQUICClient).
 */
export function coalesceSends(conn: QUICConnection): void {
  if (coalesced.has(conn)) return;
  coalesced.add(conn);
  // send() is @internal (absent from the typings) but is what the library calls on itself.
  const target = conn as unknown as { send: () => Promise<void> };
  const realSend = target.send.bind(conn);
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    // A stopped connection refuses send(); internal failures were already dispatched as
    // EventQUICConnectionError by send() itself.
    realSend().catch(() => {});
  };
  target.send = () => {
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
    return Promise.resolve();
  };
}

/**
 * Larger UDP buffers for the socket behind a started QUICServer or QUICClient: the library sends a
 * whole congestion window at once (it does not pace), and a default 208 KiB receive buffer on a
 * busy receiver overflows, which quiche then treats as congestion. The socket is a protected field
 * of the library (checked by test/quic-transport-config.test.ts).
 */
export function enlargeSocketBuffers(endpoint: QUICServer | QUICClient, bytes = SOCKET_BUFFER_BYTES): void {
  const dgram = (endpoint as unknown as { socket?: { socket?: Socket } }).socket?.socket;
  if (!dgram) return;
  try {
    dgram.setRecvBufferSize(bytes);
    dgram.setSendBufferSize(bytes);
  } catch {
    // Not bound yet or not permitted: keep the system defaults.
  }
}

/** The dgram socket's receive buffer size, for tests and the benchmark (undefined if unknown). */
export function socketRecvBufferSize(endpoint: QUICServer | QUICClient): number | undefined {
  const dgram = (endpoint as unknown as { socket?: { socket?: Socket } }).socket?.socket;
  try {
    return dgram?.getRecvBufferSize();
  } catch {
    return undefined;
  }
}
