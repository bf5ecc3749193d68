// QUIC transport settings of both ends of s2s over QUIC (specs/quic.md §2 limits), on top of the
// stream windows and tuning every Parley QUIC endpoint shares (net/quic/transport-config.ts).
import type { Config } from '../../config/schema.ts';
import { quicTransportConfig as sharedTuning } from '../../net/quic/transport-config.ts';

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
    ...sharedTuning(),
  };
}
