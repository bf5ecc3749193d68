// The configuration schema: every key, its type, default and a one-line doc (.describe()).
// docs/configuration.md and `parley check` are generated from this, so they cannot drift.
import { z } from 'zod';

const port = z.number().int().min(0).max(65535);
const interfaces = z.array(z.string()).default(['0.0.0.0']);

export const c2sSchema = z.object({
  port: port.default(5222).describe('TCP port for client connections with STARTTLS (0 disables)'),
  direct_tls_port: port.default(5223).describe('TCP port for Direct TLS client connections, XEP-0368 (0 disables)'),
  interfaces: interfaces.describe('Addresses the c2s listeners bind to'),
  require_encryption: z.boolean().default(true).describe('Require TLS before authentication'),
  allow_plain: z.boolean().default(true).describe('Offer SASL PLAIN (only ever over TLS)'),
  scram_hashes: z.array(z.enum(['SHA-1', 'SHA-256', 'SHA-512'])).default(['SHA-1', 'SHA-256', 'SHA-512']).describe('SCRAM hashes offered (credentials are stored for each)'),
  resource_conflict: z.enum(['kick_old', 'refuse']).default('kick_old').describe('RFC 6120 §7.7.2.2: on resource conflict, disconnect the old session (kick_old) or refuse the new bind'),
  auth_timeout: z.number().int().positive().default(60).describe('Seconds a connection may take to authenticate and bind'),
  idle_timeout: z.number().int().positive().default(600).describe('Seconds without any traffic before a connection is closed'),
  keepalive_interval: z.number().int().min(0).default(60).describe('Seconds between whitespace keepalives sent on idle streams (0 disables)'),
  max_outbound_queue_bytes: z.number().int().positive().default(4 * 1024 * 1024).describe('Bytes buffered for a slow reader before it is disconnected with policy-violation'),
  max_connections: z.number().int().positive().default(50_000).describe('Most client connections at once (all listeners)'),
  max_connections_per_ip: z.number().int().positive().default(200).describe('Most client connections at once from one IPv4 address or IPv6 /64'),
  connection_rate_per_ip: z.number().positive().default(50).describe('New client connections per second allowed from one address (token bucket rate)'),
  connection_burst_per_ip: z.number().int().positive().default(200).describe('New client connections one address may open at once before the rate applies'),
  stanza_rate: z.number().positive().default(200).describe('Stanzas per second one client stream may send; past the burst, stanzas get a policy-violation error (type wait) and reading pauses'),
  stanza_burst: z.number().int().positive().default(2000).describe('Stanzas a client stream may send at once before stanza_rate applies; a sender a whole burst past its rate gets the policy-violation stream error'),
  byte_rate: z.number().int().positive().default(1024 * 1024).describe('Bytes per second read from one client connection; faster senders are slowed by pausing reads (never refused)'),
  byte_burst: z.number().int().positive().default(8 * 1024 * 1024).describe('Bytes one client connection may send at once before byte_rate applies'),
  auth_backoff_base_ms: z.number().int().min(0).default(250).describe('Failed-login backoff, per address and per account: delay after the first counted failure, doubling with each further one'),
  auth_backoff_max_ms: z.number().int().positive().default(30_000).describe('Longest failed-login backoff delay, in milliseconds'),
}).strict();

export const limitsSchema = z.object({
  max_stanza_size: z.number().int().min(1024).default(256 * 1024).describe('Largest stanza accepted, in bytes'),
  max_depth: z.number().int().min(4).max(1000).default(64).describe('Deepest element nesting in a stanza'),
  max_attributes: z.number().int().min(4).default(64).describe('Most attributes on one element'),
  max_attribute_length: z.number().int().min(64).default(64 * 1024).describe('Longest attribute value, in characters'),
}).strict();

export const s2sSchema = z.object({
  port: port.default(5269).describe('TCP port for server-to-server connections (0 disables)'),
  direct_tls_port: port.default(5270).describe('Direct TLS s2s port, XEP-0368 (0 disables)'),
  interfaces: interfaces.describe('Addresses the s2s listeners bind to'),
  enabled: z.boolean().default(true).describe('Federate with other servers'),
  require_encryption: z.boolean().default(true).describe('Require TLS on server-to-server streams'),
  require_valid_certs: z.boolean().default(false).describe('Refuse peers whose certificates do not validate (no dialback fallback)'),
  ca_file: z.string().optional().describe('Extra PEM CA certificates trusted for s2s, besides the system store'),
  routes: z.record(z.string(), z.string()).default({}).describe('Static routes: remote domain -> "host:port", skipping DNS'),
  dns_servers: z.array(z.string()).default([]).describe('DNS servers ("ip" or "ip:port") for SRV/A lookups instead of the system resolver'),
  connect_timeout: z.number().positive().default(15).describe('Seconds to establish and authenticate an outgoing s2s stream before queued stanzas bounce with remote-server-timeout'),
  idle_timeout: z.number().positive().default(600).describe('Seconds an s2s connection may stay unused before it is closed'),
  dialback_secret: z.string().optional().describe('Secret for dialback keys (XEP-0185); random per process when unset (set it when clustering)'),
  max_connections: z.number().int().positive().default(1000).describe('Most s2s connections (both directions) at once'),
  max_queue: z.number().int().positive().default(1000).describe('Stanzas queued per remote domain while its connection is set up'),
  stanza_rate: z.number().positive().default(500).describe('Stanzas per second accepted from one s2s peer (address); past the burst, stanzas get a policy-violation error (type wait) and reading pauses'),
  stanza_burst: z.number().int().positive().default(2000).describe('Stanzas an s2s peer may send at once before stanza_rate applies; a peer a whole burst past its rate gets the policy-violation stream error'),
  byte_rate: z.number().int().positive().default(4 * 1024 * 1024).describe('Bytes per second read from one s2s peer (address); faster peers are slowed by pausing reads'),
  byte_burst: z.number().int().positive().default(16 * 1024 * 1024).describe('Bytes an s2s peer may send at once before byte_rate applies'),
  quic: z.boolean().default(false).describe('Federate over QUIC, XEP-0467 (ALPN xmpp-server): listen on quic_port and try QUIC first for outgoing streams, falling back to TCP (docs/quic.md §9)'),
  quic_port: port.default(5269).describe('UDP port of the s2s QUIC listener, 0 = none (outgoing QUIC only); a listener of its own because it asks peers for a certificate, which the client listener must not'),
  quic_routes: z.record(z.string(), z.string()).default({}).describe('Remote domain -> "host:port" (UDP) for outgoing s2s over QUIC; without an entry the remote domain on UDP 443 is tried'),
  quic_fallback_delay_ms: z.number().int().min(0).max(3000).default(250).describe('Happy eyeballs: milliseconds an outgoing QUIC handshake may take before the TCP attempt starts too (the QUIC attempt itself gives up after 3 s)'),
  quic_lanes: z.number().int().min(1).max(256).default(8).describe('Lanes (QUIC streams) an outgoing QUIC s2s stream asks for with Parley\'s mux, lane 0 included; 1 = single-stream XEP-0467 only'),
}).strict();

export const componentsSchema = z.object({
  port: port.default(5347).describe('TCP port for external components, XEP-0114 (0 disables)'),
  interfaces: z.array(z.string()).default(['127.0.0.1']).describe('Addresses the component listener binds to'),
  secrets: z.record(z.string(), z.string()).default({}).describe('Component domain -> shared secret'),
}).strict();

export const httpSchema = z.object({
  port: port.default(5280).describe('HTTP port for metrics, upload, WebSocket and admin (0 disables)'),
  https_port: port.default(5281).describe('HTTPS port, same routes as HTTP (0 disables)'),
  interfaces: interfaces.describe('Addresses the HTTP listeners bind to'),
  public_url: z.string().optional().describe('Base URL clients use to reach the HTTP service (default https://<domain>:<https_port>)'),
}).strict();

export const tlsSchema = z.object({
  certificate: z.string().optional().describe('PEM certificate chain path; generated self-signed into <data_dir>/certs when absent'),
  key: z.string().optional().describe('PEM private key path'),
  min_version: z.enum(['TLSv1.2', 'TLSv1.3']).default('TLSv1.2').describe('Lowest TLS version accepted (TLS 1.0 and 1.1 are never accepted)'),
  ciphers: z.string().default('ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305').describe('OpenSSL cipher list for TLS 1.2 (default: Mozilla "intermediate", forward-secret AEAD suites only); TLS 1.3 suites are unaffected'),
}).strict();

export const authSchema = z.object({
  scram_iterations: z.number().int().min(4096).default(10000).describe('PBKDF2 iterations for stored SCRAM keys'),
}).strict();

export const storageSchema = z.object({
  driver: z.enum(['sqlite', 'postgres']).default('sqlite').describe('Storage driver: sqlite (one process) or postgres (one database shared by several nodes)'),
  path: z.string().default('parley.sqlite').describe('SQLite file, relative to data_dir'),
  url: z.string().optional().describe('PostgreSQL connection URI, e.g. "postgres://parley@127.0.0.1:5432/parley" (required for driver "postgres"); keep the password out of it: PGPASSWORD or ~/.pgpass'),
  schema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a lower-case SQL identifier').optional().describe('PostgreSQL schema for Parley\'s tables, created when missing (default: the server\'s search_path, usually "public")'),
  pool_size: z.number().int().min(1).max(1000).default(10).describe('Most PostgreSQL connections this process opens'),
  migrate_on_start: z.boolean().default(true).describe('Apply pending storage migrations at start; when false, start refuses a database with pending migrations (run `parley migrate`)'),
}).strict().refine((s) => s.driver !== 'postgres' || (s.url !== undefined && s.url.length > 0), { path: ['url'], message: 'storage.url is required when storage.driver is "postgres"' });

export const quicSchema = z.object({
  enabled: z.boolean().default(false).describe('Accept XMPP over QUIC, XEP-0467 (UDP, ALPN xmpp-client), with Parley\'s quic-ack and mux extensions (docs/quic.md)'),
  port: port.default(5224).describe('UDP port of the QUIC listener (XEP-0467 clients try 443 when discovery finds nothing)'),
  interfaces: interfaces.describe('Addresses the QUIC listener binds to'),
  max_streams: z.number().int().min(2).max(1000).default(64).describe('Bidirectional streams a client may open at once on one QUIC connection'),
  max_sessions_per_connection: z.number().int().min(1).max(64).default(4).describe('Separate XML streams (XEP-0467 sessions) one QUIC connection may carry'),
  max_lanes: z.number().int().min(1).max(256).default(16).describe('Most lanes (QUIC streams) one mux session may use, lane 0 included'),
  resume_seconds: z.number().int().min(1).max(86_400).default(300).describe('Seconds a quic-ack session waits for its client to resume after the connection is lost'),
  idle_timeout: z.number().int().min(5).default(120).describe('Seconds without packets before a QUIC connection is considered dead'),
}).strict();

export const clusterSchema = z.object({
  redis: z.string().optional().describe('Redis URI, e.g. "redis://127.0.0.1:6379/0"; setting it turns cluster mode on (several nodes on one PostgreSQL database, see docs/clustering.md)'),
  node_id: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, "_", "." or "-"').optional().describe('This node\'s name in the cluster, unique per node (default: hostname-pid)'),
  key_prefix: z.string().default('parley:').describe('Prefix of every Redis key and channel Parley uses (several clusters can share one Redis)'),
  session_ttl: z.number().min(1).max(3600).default(15).describe('Seconds after its last heartbeat that a node counts as dead: its sessions are removed and its rooms taken over'),
  heartbeat_interval: z.number().min(0.1).max(600).default(5).describe('Seconds between a node\'s heartbeats (well below session_ttl)'),
  room_lease: z.number().min(1).max(3600).default(15).describe('Seconds a node owns a MUC room without renewing its lease (renewed every heartbeat)'),
}).strict().refine((c) => c.heartbeat_interval < c.session_ttl && c.heartbeat_interval < c.room_lease, { path: ['heartbeat_interval'], message: 'cluster.heartbeat_interval must be below session_ttl and room_lease' });

export const logSchema = z.object({
  level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info').describe('Log level'),
  format: z.enum(['json', 'pretty']).default('json').describe('json lines, or a readable one-line format'),
}).strict();

export const modulesSchema = z.object({
  disabled: z.array(z.string()).default([]).describe('Names of modules not to load'),
}).catchall(z.unknown());

export const configSchema = z.object({
  domains: z.array(z.string().min(1)).min(1).default(['localhost']).describe('Virtual hosts served by this process'),
  data_dir: z.string().default('./data').describe('Directory for the database, certificates and files'),
  admins: z.array(z.string()).default([]).describe('Bare JIDs with admin rights'),
  c2s: c2sSchema.default(() => c2sSchema.parse({})),
  s2s: s2sSchema.default(() => s2sSchema.parse({})),
  components: componentsSchema.default(() => componentsSchema.parse({})),
  http: httpSchema.default(() => httpSchema.parse({})),
  tls: tlsSchema.default(() => tlsSchema.parse({})),
  auth: authSchema.default(() => authSchema.parse({})),
  limits: limitsSchema.default(() => limitsSchema.parse({})),
  storage: storageSchema.default(() => storageSchema.parse({})),
  log: logSchema.default(() => logSchema.parse({})),
  cluster: clusterSchema.default(() => clusterSchema.parse({})),
  quic: quicSchema.default(() => quicSchema.parse({})),
  modules: modulesSchema.default(() => modulesSchema.parse({})),
}).strict();

export type Config = z.infer<typeof configSchema>;
