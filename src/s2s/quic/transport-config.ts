// QUIC transport settings shared by both ends of s2s over QUIC (specs/quic.md §2 limits).
import type { Config } from '../../config/schema.ts';

export function quicTransportConfig(c: Config) {
  const idle = c.quic.idle_timeout * 1000;
  return {
    // Stanzas are not replay-safe: no 0-RTT. XEP-0467 §2 rule 8: connection migration is used.
    enableEarlyData: false,
    disableActiveMigration: false,
    maxIdleTimeout: idle,
    keepAliveIntervalTime: Math.min(30_000, idle / 4),
    initialMaxStreamsBidi: c.quic.max_streams,
    initialMaxStreamsUni: 0,
    // Per-stream windows well below the connection's: one bulk lane cannot take all credit.
    initialMaxStreamDataBidiRemote: 1024 * 1024,
    initialMaxStreamDataBidiLocal: 1024 * 1024,
    maxStreamWindow: 1024 * 1024,
    initialMaxData: 16 * 1024 * 1024,
    maxConnectionWindow: 16 * 1024 * 1024,
  };
}
