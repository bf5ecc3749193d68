// Prometheus metrics (prom-client). One registry per server so tests can run several servers.
import client from 'prom-client';

export function createMetrics() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'parley_' });
  const opts = { registers: [registry] };
  return {
    registry,
    connections: new client.Gauge({ name: 'parley_connections', help: 'Open connections by listener', labelNames: ['listener'] as const, ...opts }),
    connectionsRefused: new client.Counter({ name: 'parley_connections_refused_total', help: 'Connections refused by admission limits', labelNames: ['listener', 'reason'] as const, ...opts }),
    connectionsTotal: new client.Counter({ name: 'parley_connections_total', help: 'Connections accepted by listener', labelNames: ['listener'] as const, ...opts }),
    sessions: new client.Gauge({ name: 'parley_sessions', help: 'Authenticated and bound client sessions', ...opts }),
    stanzasIn: new client.Counter({ name: 'parley_stanzas_in_total', help: 'Stanzas received by kind', labelNames: ['kind'] as const, ...opts }),
    stanzasOut: new client.Counter({ name: 'parley_stanzas_out_total', help: 'Stanzas sent by kind', labelNames: ['kind'] as const, ...opts }),
    authFailures: new client.Counter({ name: 'parley_auth_failures_total', help: 'Failed SASL authentications by mechanism', labelNames: ['mechanism'] as const, ...opts }),
    authSuccesses: new client.Counter({ name: 'parley_auth_successes_total', help: 'Successful SASL authentications by mechanism', labelNames: ['mechanism'] as const, ...opts }),
    authLatency: new client.Histogram({ name: 'parley_auth_duration_seconds', help: 'Time from SASL auth start to outcome', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2], ...opts }),
    parseErrors: new client.Counter({ name: 'parley_parse_errors_total', help: 'XML stream errors raised by the parser, by condition', labelNames: ['condition'] as const, ...opts }),
    streamErrors: new client.Counter({ name: 'parley_stream_errors_total', help: 'Stream errors sent, by condition', labelNames: ['condition'] as const, ...opts }),
    routeLatency: new client.Histogram({ name: 'parley_route_duration_seconds', help: 'Time to route one stanza', buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1], ...opts }),
    storageLatency: new client.Histogram({ name: 'parley_storage_duration_seconds', help: 'Storage operation latency by store and op', labelNames: ['store', 'op'] as const, buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5], ...opts }),
    rateLimited: new client.Counter({ name: 'parley_rate_limited_total', help: 'Rate-limit actions: direction c2s|s2s, limit bytes|stanzas, action throttled|refused|closed', labelNames: ['direction', 'limit', 'action'] as const, ...opts }),
    authThrottled: new client.Counter({ name: 'parley_auth_throttled_total', help: 'Failed logins answered late or refused by backoff, by scope (address|account)', labelNames: ['scope'] as const, ...opts }),
    s2sQuic: new client.Counter({ name: 'parley_s2s_quic_total', help: 'S2S over QUIC: direction in|out, event connected|tcp_fallback|quic_failed|late_discarded', labelNames: ['direction', 'event'] as const, ...opts }),
    s2sQuicLaneStanzas: new client.Counter({ name: 'parley_s2s_quic_lane_stanzas_total', help: 'Stanzas over QUIC s2s streams by direction (in|out) and mux lane (0 = the stream itself)', labelNames: ['direction', 'lane'] as const, ...opts }),
    slowConsumerDisconnects: new client.Counter({ name: 'parley_slow_consumer_disconnects_total', help: 'Sessions closed because their outbound queue overflowed', ...opts }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
