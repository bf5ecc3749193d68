// Throughput of one @matrixai/quic stream (issue #10, docs/quic.md §7): a QUICServer and a
// QUICClient configured like Parley's listener and QuicXmppClient, one bidi stream; the client
// writes --mib MiB in --chunk KiB writes (each awaited, as the client library does), the server
// reads. Reports MiB/s, CPU% and run-queue wait% of each process's main thread (schedstat: on a
// loaded machine "low CPU" can mean "waiting for a CPU"), UDP datagrams each way, gaps > 5 ms
// between sends, and quiche's stats (cwnd, rtt ms, lost, delivery rate).
//   npx tsx bench/quic-throughput.ts [--mib 8] [--chunk 16] [--timeout 60] [--split]
//       [--config parley|old|library] [--no-coalesce] [--no-buffers] [--json]
// --config parley: src/net/quic/transport-config.ts (config, coalesced sends, socket buffers), what
// Parley uses; old: Parley before issue #10; library: @matrixai/quic defaults. --split: server in
// a child process (as in production). Loopback, bounded by --mib and --timeout; with --link L
// (root) server and client run in bench/quic-hol's namespaces over its emulated 25 ms/L% link.
// QUIC_BENCH_TRACE=1 prints each send gap with quiche's loss count and timeout.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { QUICClient, QUICServer, events, type QUICConnection, type QUICServerConfigInput } from '@matrixai/quic';
import quicheNative from '@matrixai/quic/native/quiche.js';
import Logger, { LogLevel } from '@matrixai/logger';
import { clientCrypto, serverCrypto } from '../src/net/quic/crypto.ts';
import { coalesceSends, enlargeSocketBuffers, quicTransportConfig, socketRecvBufferSize } from '../src/net/quic/transport-config.ts';

const { values: a } = parseArgs({
  options: {
    mib: { type: 'string', default: '8' },
    chunk: { type: 'string', default: '16' },
    timeout: { type: 'string', default: '60' },
    config: { type: 'string', default: 'parley' },
    json: { type: 'boolean', default: false },
    // Ablation for --config parley: leave out one of the two tunings.
    'no-coalesce': { type: 'boolean', default: false },
    'no-buffers': { type: 'boolean', default: false },
    // Override the library's 4 KiB read chunk (KiB), to measure its effect.
    'read-chunk': { type: 'string' },
    // Root only: run server and client in bench/quic-hol's namespaces over its emulated link
    // (linkemu.py, 25 ms each way) with this % loss, instead of loopback.
    link: { type: 'string' },
    // Experiment only (Parley does not do this): congestion control reno|cubic|bbr, set through
    // the native Config prototype because @matrixai/quic 2.0.9's config has no such option.
    cc: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
    // Run the server in a child process (as in production: server and client are separate).
    split: { type: 'boolean', default: false },
    role: { type: 'string', default: 'both' },
  },
});
const TOTAL = Math.round(Number(a.mib) * 1024 * 1024);
const CHUNK = Math.round(Number(a.chunk) * 1024);
const TIMEOUT_MS = Number(a.timeout) * 1000;
const tls = new URL('../test/fixtures/tls/', import.meta.url);
const cert = readFileSync(new URL('localhost.crt', tls), 'utf8');
const key = readFileSync(new URL('localhost.key', tls), 'utf8');

const common = { applicationProtos: ['xmpp-client'], enableEarlyData: false, maxIdleTimeout: 60_000, keepAliveIntervalTime: 15_000, initialMaxStreamsBidi: 64 };
const OLD = { initialMaxStreamDataBidiRemote: 1 << 20, initialMaxStreamDataBidiLocal: 1 << 20, maxStreamWindow: 1 << 20 };
if (a.cc) {
  const P = (quicheNative as unknown as { Config: { prototype: Record<string, (...x: unknown[]) => unknown> } }).Config.prototype;
  const setProtos = P.setApplicationProtos;
  // buildQuicheConfig() calls setApplicationProtos last on every config it builds.
  P.setApplicationProtos = function (this: { setCcAlgorithmName(n: string): void }, ...x: unknown[]) {
    setProtos.apply(this, x);
    this.setCcAlgorithmName(a.cc!);
  };
}
const tuned = a.config === 'parley';
const coalesce = tuned && !a['no-coalesce'];
const buffers = tuned && !a['no-buffers'];
function transport(): Record<string, unknown> {
  const rc = a['read-chunk'] ? { readableChunkSize: Number(a['read-chunk']) * 1024 } : {};
  if (a.config === 'parley') return { ...quicTransportConfig(), ...rc };
  if (a.config === 'old') return OLD;
  if (a.config === 'library') return {};
  throw new Error(`--config parley|library|old, not ${a.config}`);
}

/** Counts UDP datagrams a connection hands to its socket, and the gaps between them. */
function countSends(conn: QUICConnection) {
  const s = { packets: 0, bytes: 0, gapsOver5ms: 0, gapMsOver5ms: 0, last: 0 };
  conn.addEventListener(events.EventQUICConnectionSend.name, (e) => {
    const now = performance.now();
    const gap = s.last ? now - s.last : 0;
    if (gap > 5) {
      s.gapsOver5ms++;
      s.gapMsOver5ms += gap;
      if (process.env.QUIC_BENCH_TRACE) {
        const st = native(conn).stats();
        console.error(`gap ${gap.toFixed(1)} ms before packet ${s.packets}; lost so far ${st.lost}, timeout() ${native(conn).timeout()}`);
      }
    }
    s.last = now;
    s.packets++;
    s.bytes += (e as events.EventQUICConnectionSend).detail.msg.byteLength;
  });
  return s;
}

/** Main thread's [on-CPU ns, runnable-but-waiting ns] (Linux schedstat): CPU starvation by other load shows in the second. */
function sched(): [number, number] {
  try {
    const [run, wait] = readFileSync('/proc/self/schedstat', 'utf8').split(' ').map(Number);
    return [run, wait];
  } catch {
    return [0, 0];
  }
}
const waitedPercent = (s0: [number, number], ms: number) => Math.round(((sched()[1] - s0[1]) / 1e6 / ms) * 100);

type Native = { timeout(): number | null; stats(): Record<string, unknown>; pathStats(): Array<Record<string, unknown>> };
const native = (c: QUICConnection): Native => (c as unknown as { conn: Native }).conn;
function stats(c: QUICConnection) {
  const s = native(c).stats();
  const p = native(c).pathStats()[0] ?? {};
  return { sent: s.sent, recv: s.recv, lost: s.lost, retrans: s.retrans, cwnd: p.cwnd, rtt: p.rtt, deliveryRate: p.deliveryRate, pmtu: p.pmtu, peerMaxAckDelay: s.peerMaxAckDelay };
}

function serverConfig(): QUICServerConfigInput {
  const old = a.config === 'old' ? { initialMaxData: 16 << 20, maxConnectionWindow: 16 << 20 } : {};
  return { key, cert, verifyPeer: false, disableActiveMigration: false, ...common, initialMaxStreamsUni: 0, ...old, ...transport() };
}

interface ServerSide {
  port: number;
  /** Resolves with the server's numbers once TOTAL bytes have been read. */
  finished: Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** The receiving end: a QUICServer that reads the first peer stream to the end or TOTAL bytes. */
async function serverSide(): Promise<ServerSide> {
  const server = new QUICServer({ logger: new Logger('bench-quic', LogLevel.WARN), crypto: serverCrypto(), config: serverConfig() });
  let finish!: (r: Record<string, unknown>) => void;
  const finished = new Promise<Record<string, unknown>>((r) => (finish = r));
  server.addEventListener(events.EventQUICServerConnection.name, (e) => {
    const conn = (e as events.EventQUICServerConnection).detail;
    const sends = countSends(conn);
    if (coalesce) coalesceSends(conn);
    conn.addEventListener(events.EventQUICConnectionError.name, () => {});
    conn.addEventListener(
      events.EventQUICConnectionStream.name,
      (ev) => {
        const reader = (ev as events.EventQUICConnectionStream).detail.readable.getReader();
        let received = 0;
        let cpu0: NodeJS.CpuUsage | undefined;
        let s0: [number, number] = [0, 0];
        let t0 = 0;
        void (async () => {
          for (;;) {
            const r = await reader.read();
            if (r.done) break;
            if (!cpu0) [cpu0, s0, t0] = [process.cpuUsage(), sched(), performance.now()];
            received += r.value.byteLength;
            if (received >= TOTAL) {
              const cpu = process.cpuUsage(cpu0);
              const ms = performance.now() - t0;
              finish({ received, cpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / ms) * 100), runQueueWaitPercent: waitedPercent(s0, ms), packets: { ...sends, last: undefined, gapMsOver5ms: Math.round(sends.gapMsOver5ms) }, stats: stats(conn) });
            }
          }
        })().catch(() => {}); // the abort at the end resets the stream
      },
      { once: true },
    );
  });
  await server.start({ host: a.host, port: 0 });
  if (buffers) enlargeSocketBuffers(server);
  return { port: server.port, finished, stop: () => server.stop({ force: true }).catch(() => {}) };
}

const benchArgs = () => process.argv.slice(2).filter((x, i, all) => x !== '--split' && x !== '--link' && all[i - 1] !== '--link');
/** Runs this script again (in a network namespace if ns is given) with extra arguments. */
function self(ns: string | undefined, extra: string[], stdout: 'pipe' | 'inherit') {
  const cmd = [process.execPath, ...process.execArgv, fileURLToPath(import.meta.url), ...benchArgs(), ...extra];
  return ns ? spawn('ip', ['netns', 'exec', ns, ...cmd], { stdio: ['pipe', stdout, 'inherit'] }) : spawn(cmd[0], cmd.slice(1), { stdio: ['pipe', stdout, 'inherit'] });
}

/** --split: the same server in a child process, talking over stdout. */
async function childServer(ns?: string, host?: string): Promise<ServerSide> {
  const child = self(ns, ['--role', 'server', ...(host ? ['--host', host] : [])], 'pipe');
  const lines = createInterface({ input: child.stdout! });
  let finish!: (r: Record<string, unknown>) => void;
  const finished = new Promise<Record<string, unknown>>((r) => (finish = r));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', () => reject(new Error('server child exited')));
    lines.on('line', (l) => {
      if (l.startsWith('PORT ')) resolve(Number(l.slice(5)));
      else if (l.startsWith('DONE ')) finish(JSON.parse(l.slice(5)) as Record<string, unknown>);
    });
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  // It exits by itself once it has reported; kill it if it has not within 3 s.
  return { port, finished, stop: () => Promise.race([exited, new Promise<void>((r) => setTimeout(r, 3000).unref())]).then(() => void child.kill()) };
}

/** --link: server in phq-s, client in phq-c, joined by bench/quic-hol's emulated link. */
async function overLink(loss: number): Promise<void> {
  const ns = await import('./quic-hol/netns.ts');
  if (execFileSync('ip', ['netns', 'list']).toString().includes(ns.NS_SERVER)) throw new Error(`${ns.NS_SERVER} exists: is bench/quic-hol running?`);
  await ns.setupEmulated(25, loss);
  try {
    const server = await childServer(ns.NS_SERVER, ns.SERVER_IP);
    const client = self(ns.NS_CLIENT, ['--role', 'client', '--host', ns.SERVER_IP, '--port', String(server.port)], 'inherit');
    void server.finished.then((r) => client.stdin!.write(`DONE ${JSON.stringify(r)}\n`));
    await new Promise((r) => client.once('exit', r));
    await server.stop();
  } finally {
    ns.teardown();
  }
}

/** --role client (under --link): the server runs elsewhere; its report comes in on stdin. */
function remoteServer(): ServerSide {
  const lines = createInterface({ input: process.stdin });
  const finished = new Promise<Record<string, unknown>>((resolve) => lines.on('line', (l) => l.startsWith('DONE ') && resolve(JSON.parse(l.slice(5)) as Record<string, unknown>)));
  return { port: Number(a.port), finished, stop: async () => lines.close() };
}

async function main(): Promise<void> {
  if (a.link !== undefined) return overLink(Number(a.link));
  if (a.role === 'server') {
    const s = await serverSide();
    console.log(`PORT ${s.port}`);
    console.log(`DONE ${JSON.stringify(await s.finished)}`);
    setTimeout(() => process.exit(0), 200);
    return;
  }
  const server = a.role === 'client' ? remoteServer() : a.split ? await childServer() : await serverSide();
  const client = await QUICClient.createQUICClient(
    { host: a.host, port: server.port, localHost: a.host === '127.0.0.1' ? '127.0.0.1' : '0.0.0.0', serverName: 'localhost', crypto: clientCrypto(), logger: new Logger('bench-quic-client', LogLevel.WARN), config: { verifyPeer: true, ca: cert, ...common, ...transport() } },
    { timer: 10_000 },
  );
  const conn = client.connection;
  if (buffers) enlargeSocketBuffers(client);
  conn.addEventListener(events.EventQUICConnectionError.name, () => {});
  const clientSends = countSends(conn);
  if (coalesce) coalesceSends(conn);
  const writer = conn.newStream('bidi').writable.getWriter();

  const cpu0 = process.cpuUsage();
  const s0 = sched();
  const t0 = performance.now();
  const deadline = t0 + TIMEOUT_MS;
  const payload = Buffer.alloc(CHUNK, 0x61);
  const writing = (async () => {
    for (let sent = 0; sent < TOTAL && performance.now() < deadline; sent += CHUNK) {
      await writer.write(payload.subarray(0, Math.min(CHUNK, TOTAL - sent)));
    }
  })();
  const timer = new Promise<undefined>((r) => setTimeout(() => r(undefined), TIMEOUT_MS).unref());
  const srv = await Promise.race([server.finished, timer]);
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const sent = native(conn).stats().sentBytes as number;
  const result = {
    config: a.config,
    coalesce,
    socketRecvBuffer: socketRecvBufferSize(client),
    split: a.split,
    chunkKiB: CHUNK / 1024,
    complete: srv !== undefined,
    seconds: +secs.toFixed(2),
    // Without completion: an upper bound from bytes on the wire (headers and retransmissions included).
    mibPerSec: srv ? +(TOTAL / 1048576 / secs).toFixed(2) : `< ${(sent / 1048576 / secs).toFixed(2)}`,
    clientCpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / (secs * 1000)) * 100),
    // Share of the time the client's main thread was runnable but waiting for a CPU (machine load).
    clientRunQueueWaitPercent: waitedPercent(s0, secs * 1000),
    loadavg: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    clientPackets: { ...clientSends, last: undefined, gapMsOver5ms: Math.round(clientSends.gapMsOver5ms) },
    clientStats: stats(conn),
    server: srv,
  };
  console.log(a.json ? JSON.stringify(result) : JSON.stringify(result, null, 1));
  void writing.catch(() => {});
  await writer.abort(new Error('bench over')).catch(() => {});
  await client.destroy({ isApp: true, errorCode: 0, force: true }).catch(() => {});
  await server.stop();
  process.exit(0);
}

void main();
