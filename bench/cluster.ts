// npm run bench:cluster [-- --nodes 1,2,3 --pairs 24 --messages 400 --runs 3 --archive off|on]
// One-to-one message throughput through a Parley cluster (docs/clustering.md) of 1, 2 and 3 nodes
// on this machine: every node a real process on one shared PostgreSQL schema and one Redis
// prefix. `pairs` senders and receivers log in over TCP+TLS (a small raw client in this process
// that only counts what arrives), sender i on node i mod N and its receiver on node (i+1) mod N,
// so with 2 or 3 nodes every message crosses the Redis bus; with 1 node nothing does (the node
// still runs in cluster mode). Each sender sends `messages` chat messages to its receiver's full
// JID as fast as the socket takes them; the clock stops when every receiver has counted all of its
// messages. Figure: delivered messages per second (median of the runs), with each node's and the
// load generator's CPU time per message. Bounded by --timeout; prints a table and writes
// bench/results/cluster-<time>.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { parseArgs } from 'node:util';
import { addUsers } from '../test/helpers/accounts.ts';
import { startCluster, type TestCluster } from '../test/helpers/cluster.ts';
import { testCert } from '../test/helpers/server.ts';

const { values: args } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1,2,3' },
    pairs: { type: 'string', default: '24' },
    messages: { type: 'string', default: '400' },
    runs: { type: 'string', default: '3' },
    /** Runs first that are not counted (JIT warm-up, first connections to PostgreSQL and Redis). */
    warmup: { type: 'string', default: '1' },
    archive: { type: 'string', default: 'off' },
    timeout: { type: 'string', default: '900' },
  },
});
const NODE_COUNTS = args.nodes.split(',').map(Number);
const PAIRS = Number(args.pairs);
const M = Number(args.messages);
const RUNS = Number(args.runs);
const WARMUP = Number(args.warmup);
const ARCHIVE = args.archive === 'on';
const DOMAIN = 'localhost';
const ca = readFileSync(testCert);
const guard = setTimeout(() => {
  console.error(`bench did not finish within ${args.timeout} s`);
  process.exit(2);
}, Number(args.timeout) * 1000);
guard.unref();

/** A minimal client: STARTTLS, SASL PLAIN, bind, initial presence; then it counts a marker. */
class Client {
  private sock!: Socket | TLSSocket;
  private buf = '';
  private waiter: { re: RegExp; resolve: () => void } | null = null;
  private tail = '';
  counting = false;
  count = 0;
  onCount: (() => void) | null = null;

  constructor(readonly user: string, private readonly port: number) {}

  private attach(s: Socket | TLSSocket): void {
    this.sock = s;
    s.setEncoding('utf8');
    s.on('data', (d: string) => this.onData(d));
  }

  private onData(d: string): void {
    if (this.counting) {
      const text = this.tail + d;
      let i = 0;
      let n = 0;
      while ((i = text.indexOf('</body>', i)) >= 0) {
        n++;
        i += 7;
      }
      this.tail = text.slice(Math.max(text.length - 6, i));
      if (n) {
        this.count += n;
        this.onCount?.();
      }
      return;
    }
    this.buf += d;
    if (this.waiter && this.waiter.re.test(this.buf)) {
      this.buf = '';
      const w = this.waiter;
      this.waiter = null;
      w.resolve();
    }
  }

  private waitFor(re: RegExp, ms = 30_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.user}: no ${re} within ${ms} ms`)), ms);
      this.waiter = { re, resolve: () => (clearTimeout(timer), resolve()) };
      this.onData('');
    });
  }

  write(s: string): Promise<void> {
    return new Promise((r) => (this.sock.write(s) ? r() : this.sock.once('drain', r)));
  }

  private header(): string {
    return `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='${DOMAIN}' version='1.0'>`;
  }

  async login(): Promise<void> {
    const tcp = tcpConnect({ host: '127.0.0.1', port: this.port });
    await new Promise<void>((res, rej) => (tcp.once('connect', res), tcp.once('error', rej)));
    this.attach(tcp);
    void this.write(this.header());
    await this.waitFor(/<\/stream:features>/);
    void this.write(`<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>`);
    await this.waitFor(/<proceed[^>]*\/>/);
    tcp.removeAllListeners('data');
    const tls = tlsConnect({ socket: tcp, servername: DOMAIN, ca });
    await new Promise<void>((res, rej) => (tls.once('secureConnect', res), tls.once('error', rej)));
    this.buf = '';
    this.attach(tls);
    void this.write(this.header());
    await this.waitFor(/<\/stream:features>/);
    void this.write(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${Buffer.from(`\0${this.user}\0${this.user}-secret`).toString('base64')}</auth>`);
    await this.waitFor(/<success/);
    void this.write(this.header());
    await this.waitFor(/<\/stream:features>/);
    void this.write(`<iq type='set' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>bench</resource></bind></iq>`);
    await this.waitFor(/id=["']b1["']/);
    void this.write(`<presence/><iq type='get' id='p1' to='${DOMAIN}'><ping xmlns='urn:xmpp:ping'/></iq>`);
    await this.waitFor(/id=["']p1["']/);
  }

  close(): void {
    this.sock.end('</stream:stream>');
  }
}

function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // proc(5): utime, stime in USER_HZ (100)
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Result { nodes: number; rate: number[]; serverCpuUsPerMsg: number[]; clientCpuUsPerMsg: number[] }

async function measure(n: number): Promise<Result> {
  const names = Array.from({ length: n }, (_, i) => `n${i + 1}`);
  const cluster: TestCluster = await startCluster({ names, session_ttl: 15, heartbeat_interval: 5, room_lease: 15, config: { modules: { disabled: ARCHIVE ? [] : ['mam'] } } });
  const out: Result = { nodes: n, rate: [], serverCpuUsPerMsg: [], clientCpuUsPerMsg: [] };
  const clients: Client[] = [];
  try {
    const node = (i: number) => cluster.nodes[names[i % n]];
    await addUsers(node(0), Array.from({ length: PAIRS }, (_, i) => [`s${i}`, `r${i}`]).flat());
    const senders = Array.from({ length: PAIRS }, (_, i) => new Client(`s${i}`, node(i).ports.c2s));
    const receivers = Array.from({ length: PAIRS }, (_, i) => new Client(`r${i}`, node(i + 1).ports.c2s));
    clients.push(...senders, ...receivers);
    for (let i = 0; i < clients.length; i += 8) await Promise.all(clients.slice(i, i + 8).map((c) => c.login()));
    await new Promise((r) => setTimeout(r, 500)); // presence records reach every node
    const pids = names.map((x) => cluster.nodes[x].pid);
    for (let run = -WARMUP; run < RUNS; run++) {
      for (const r of receivers) (r.count = 0), (r.counting = true);
      const total = PAIRS * M;
      const done = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`run timed out: ${receivers.reduce((a, r) => a + r.count, 0)} of ${total} delivered`)), 120_000);
        const check = () => receivers.reduce((a, r) => a + r.count, 0) >= total && (clearTimeout(timer), resolve());
        for (const r of receivers) r.onCount = check;
      });
      const cpu0 = pids.map(cpuMs);
      const self0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      await Promise.all(senders.map(async (s, i) => {
        for (let k = 0; k < M; k += 50) {
          let batch = '';
          for (let j = k; j < Math.min(M, k + 50); j++) batch += `<message type='chat' to='r${i}@${DOMAIN}/bench' id='m${run}-${j}'><body>cluster bench ${j}</body></message>`;
          await s.write(batch);
        }
      }));
      await done;
      const secs = Number(process.hrtime.bigint() - t0) / 1e9;
      const serverMs = pids.map(cpuMs).reduce((a, v, i) => a + v - cpu0[i], 0);
      const self = process.cpuUsage(self0);
      console.error(`  ${n} node(s), ${run < 0 ? 'warm-up' : `run ${run + 1}`}: ${Math.round(total / secs)} msg/s`);
      if (run < 0) continue;
      out.rate.push(total / secs);
      out.serverCpuUsPerMsg.push((serverMs * 1000) / total);
      out.clientCpuUsPerMsg.push((self.user + self.system) / total);
    }
  } catch (e) {
    // What the nodes said about it (warnings and errors only).
    for (const x of names) for (const l of cluster.nodes[x].logs().split('\n')) if (/"level":(40|50|60)/.test(l) && !/clamd/.test(l)) console.error(`${x}: ${l.slice(0, 400)}`);
    throw e;
  } finally {
    for (const c of clients) c.close();
    await cluster.stop();
  }
  return out;
}

const results: Result[] = [];
for (const n of NODE_COUNTS) results.push(await measure(n));
console.log(`\n${PAIRS} sender/receiver pairs × ${M} messages, ${RUNS} runs after ${WARMUP} warm-up, archive ${ARCHIVE ? 'on' : 'off'}, ${cpus().length} CPUs (${cpus()[0]?.model})\n`);
console.log('| nodes | delivered msg/s (median) | all nodes\' CPU µs/msg | load generator CPU µs/msg |');
console.log('|---|---|---|---|');
for (const r of results) console.log(`| ${r.nodes} | ${Math.round(median(r.rate)).toLocaleString('en')} | ${median(r.serverCpuUsPerMsg).toFixed(1)} | ${median(r.clientCpuUsPerMsg).toFixed(1)} |`);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const file = new URL(`./results/cluster-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, import.meta.url);
writeFileSync(file, JSON.stringify({ pairs: PAIRS, messages: M, runs: RUNS, warmup: WARMUP, archive: ARCHIVE, cpus: cpus().length, cpu: cpus()[0]?.model, load: loadavg(), results }, null, 2));
console.log(`\nwritten ${file.pathname}`);
process.exit(0);
