// npm run bench:muc [-- --occupants N --messages N --runs N --senders N --archive on|off|both]
// MUC message fan-out through a real Parley process: N occupants (default 500) join one room over
// loopback, each its own TCP+TLS client connection from this process (a small raw client that
// only counts what arrives, so client-side parsing does not cap the figure); then, per run, the
// senders send the messages as fast as the server reads them and the clock stops when every
// occupant has received every message. Figure: delivered groupchat stanzas per second
// (occupants × messages / elapsed), median over the runs, once with the room archived (one durable
// archive write per message, the default) and once with archiving off (in-memory history).
// Bounded: each run gives up after --run-timeout seconds, the whole bench after --timeout.
// Prints a table and writes bench/results/muc-fanout-<time>.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/loader.ts';
import { addUsers } from '../test/helpers/accounts.ts';
import { startServer, testCert, type RunningServer } from '../test/helpers/server.ts';

const { values: args } = parseArgs({
  options: {
    occupants: { type: 'string', default: '500' },
    messages: { type: 'string', default: '200' },
    runs: { type: 'string', default: '5' },
    senders: { type: 'string', default: '1' },
    archive: { type: 'string', default: 'both' },
    'run-timeout': { type: 'string', default: '60' },
    timeout: { type: 'string', default: '900' },
    /** Use a server that is already running with this config (e.g. under node --cpu-prof) instead of starting one. */
    attach: { type: 'string' },
    /** With --attach: the server's pid, for its CPU time. */
    pid: { type: 'string' },
  },
});
const N = Number(args.occupants);
const M = Number(args.messages);
const RUNS = Number(args.runs);
const SENDERS = Math.max(1, Math.min(Number(args.senders), N));
const RUN_TIMEOUT = Number(args['run-timeout']) * 1000;
const modes = args.archive === 'both' ? [true, false] : [args.archive === 'on'];
const ca = readFileSync(testCert);

const deadline = Date.now() + Number(args.timeout) * 1000;
const guard = setTimeout(() => {
  console.error(`bench did not finish within ${args.timeout} s`);
  process.exit(2);
}, Number(args.timeout) * 1000);
guard.unref();

/** A minimal XMPP client: STARTTLS, SASL PLAIN, bind; then it counts a marker in what arrives. */
class Occupant {
  private sock!: Socket | TLSSocket;
  private buf = '';
  private waiters: Array<{ re: RegExp; resolve: (m: string) => void; reject: (e: Error) => void }> = [];
  private counting: { marker: string; tail: string } | null = null;
  count = 0;
  onCount: (() => void) | null = null;

  constructor(readonly user: string, private readonly port: number, private readonly domain: string) {}

  private attach(s: Socket | TLSSocket): void {
    this.sock = s;
    s.setEncoding('utf8');
    s.on('data', (d: string) => this.onData(d));
    s.on('error', (e) => this.failAll(e));
  }

  private onData(d: string): void {
    if (this.counting) {
      // Count markers without keeping the stream: only a tail that could hold a split marker stays.
      const text = this.counting.tail + d;
      let i = 0;
      let n = 0;
      while ((i = text.indexOf(this.counting.marker, i)) >= 0) {
        n++;
        i += this.counting.marker.length;
      }
      this.counting.tail = text.slice(Math.max(0, text.length - this.counting.marker.length + 1, i));
      if (n) {
        this.count += n;
        this.onCount?.();
      }
      return;
    }
    this.buf += d;
    for (const w of [...this.waiters]) {
      const m = w.re.exec(this.buf);
      if (m) {
        this.buf = this.buf.slice(m.index + m[0].length);
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(m[0]);
      }
    }
  }

  private failAll(e: Error): void {
    for (const w of this.waiters) w.reject(e);
    this.waiters = [];
  }

  private waitFor(re: RegExp, ms = 30_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.user}: no ${re} within ${ms} ms`)), ms);
      const w = { re, resolve: (m: string) => (clearTimeout(timer), resolve(m)), reject: (e: Error) => (clearTimeout(timer), reject(e)) };
      this.waiters.push(w);
      this.onData('');
    });
  }

  send(s: string): void {
    this.sock.write(s);
  }

  private header(): string {
    return `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='${this.domain}' version='1.0'>`;
  }

  async login(): Promise<void> {
    const tcp = tcpConnect({ host: '127.0.0.1', port: this.port });
    await new Promise<void>((res, rej) => (tcp.once('connect', res), tcp.once('error', rej)));
    this.attach(tcp);
    this.send(this.header());
    await this.waitFor(/<\/stream:features>/);
    this.send(`<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>`);
    await this.waitFor(/<proceed[^>]*\/>/);
    tcp.removeAllListeners('data');
    const tls = tlsConnect({ socket: tcp, servername: this.domain, ca });
    await new Promise<void>((res, rej) => (tls.once('secureConnect', res), tls.once('error', rej)));
    this.buf = '';
    this.attach(tls);
    this.send(this.header());
    await this.waitFor(/<\/stream:features>/);
    this.send(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${Buffer.from(`\0${this.user}\0${this.user}-secret`).toString('base64')}</auth>`);
    await this.waitFor(/<success[^>]*(\/>|<\/success>)/);
    this.send(this.header());
    await this.waitFor(/<\/stream:features>/);
    this.send(`<iq type='set' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>bench</resource></bind></iq>`);
    await this.waitFor(/<iq[^>]*id=["']b1["'][\s\S]*?<\/iq>/);
  }

  async join(room: string): Promise<void> {
    this.counting = null;
    this.buf = '';
    this.send(`<presence to='${room}/${this.user}'><x xmlns='http://jabber.org/protocol/muc'><history maxstanzas='0'/></x></presence>`);
    // The subject ends the join (XEP-0045 §7.2.1).
    await this.waitFor(/<subject[^>]*(\/>|>[^<]*<\/subject>)/, 60_000);
    this.buf = '';
  }

  /** Count markers from now on (and drop everything else). */
  startCounting(marker: string): void {
    this.buf = '';
    this.counting = { marker, tail: '' };
  }

  async iq(xml: string, id: string): Promise<string> {
    const saved = this.counting;
    this.counting = null;
    this.buf = '';
    this.send(xml);
    const r = await this.waitFor(new RegExp(`<iq[^>]*id=["']${id}["'][\\s\\S]*?(</iq>|/>)`));
    this.counting = saved;
    return r;
  }

  close(): void {
    try {
      this.send('</stream:stream>');
      this.sock.end();
    } catch {
      /* gone */
    }
  }
}

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux); null elsewhere. */
function cpuMsOf(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // proc(5): utime and stime are fields 14 and 15, in clock ticks (USER_HZ, 100 on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function inBatches<T>(items: T[], size: number, fn: (t: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

interface RoomResult {
  runs: number[];
  /** Server CPU time per delivered stanza (µs), per run: what the figure would be on an idle core. */
  serverCpuUs: number[];
  joinMs: number;
}

async function benchRoom(server: RunningServer, clients: Occupant[], archive: boolean): Promise<RoomResult> {
  const room = `fanout-${archive ? 'archived' : 'memory'}@conference.${server.domain}`;
  const owner = clients[0];
  const joinStart = performance.now();
  await owner.join(room);
  await owner.iq(`<iq type='set' id='cfg' to='${room}'><query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE'><value>http://jabber.org/protocol/muc#roomconfig</value></field><field var='muc#roomconfig_maxusers'><value>${N + 10}</value></field><field var='muc#roomconfig_enablelogging'><value>${archive ? 1 : 0}</value></field></x></query></iq>`, 'cfg');
  await inBatches(clients.slice(1), 25, (c) => c.join(room));
  const joinMs = performance.now() - joinStart;
  const runs: number[] = [];
  const serverCpuUs: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    if (Date.now() > deadline) break;
    const marker = `fanout-${archive ? 'a' : 'm'}-${run}-`;
    for (const c of clients) {
      c.count = 0;
      c.startCounting(`<body>${marker}`);
    }
    const expected = M;
    let done = 0;
    const finished = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`run ${run}: ${done}/${N} occupants complete after ${RUN_TIMEOUT} ms`)), RUN_TIMEOUT);
      for (const c of clients) {
        c.onCount = () => {
          if (c.count >= expected) {
            c.onCount = null;
            if (++done === N) {
              clearTimeout(timer);
              resolve();
            }
          }
        };
      }
    });
    const senders = clients.slice(0, SENDERS);
    const cpuBefore = cpuMsOf(server.pid);
    const started = performance.now();
    for (let i = 0; i < M; i++) senders[i % SENDERS].send(`<message to='${room}' type='groupchat' id='${marker}${i}'><body>${marker}${i} lorem ipsum dolor sit amet</body></message>`);
    await finished;
    const elapsed = performance.now() - started;
    const cpuAfter = cpuMsOf(server.pid);
    runs.push((N * M) / (elapsed / 1000));
    const cpuUs = cpuBefore !== null && cpuAfter !== null ? ((cpuAfter - cpuBefore) * 1000) / (N * M) : NaN;
    serverCpuUs.push(cpuUs);
    console.log(`  ${archive ? 'archived' : 'in-memory'} run ${run + 1}: ${(N * M).toLocaleString()} stanzas in ${elapsed.toFixed(0)} ms = ${Math.round(runs.at(-1)!).toLocaleString()} stanzas/s; server CPU ${cpuUs.toFixed(1)} µs per delivered stanza`);
  }
  for (const c of clients) c.startCounting('\u0000never');
  return { runs, serverCpuUs, joinMs };
}

/** A server started by hand (its config must allow N connections from one address, see below). */
function attached(configPath: string): RunningServer {
  const { config } = loadConfig(configPath);
  return { domain: config.domains[0], ports: { c2s: config.c2s.port }, configPath, pid: args.pid ? Number(args.pid) : undefined, stop: async () => ({ code: null, signal: null, killed: false }) } as unknown as RunningServer;
}

async function main(): Promise<void> {
  console.log(`MUC fan-out: ${N} occupants, ${M} messages per run from ${SENDERS} sender(s), ${RUNS} runs; ${cpus().length} CPUs (${cpus()[0]?.model}), load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const server = args.attach ? attached(args.attach) : await startServer({
    config: {
      // info: the harness waits for the "parley ready" line.
      c2s: { max_connections_per_ip: N + 100, connection_rate_per_ip: 100_000, connection_burst_per_ip: 100_000, max_outbound_queue_bytes: 64 * 1024 * 1024, stanza_rate: 1_000_000, stanza_burst: 1_000_000, byte_rate: 1 << 30, byte_burst: 1 << 30 },
      modules: { muc: { default_max_users: N + 10, max_users_limit: Math.max(10_000, N + 10) } },
    },
  });
  const clients: Occupant[] = [];
  try {
    const names = Array.from({ length: N }, (_, i) => `u${i}`);
    const t0 = performance.now();
    await addUsers(server, names);
    const accountsMs = performance.now() - t0;
    const t1 = performance.now();
    for (const u of names) clients.push(new Occupant(u, server.ports.c2s, server.domain));
    await inBatches(clients, 50, (c) => c.login());
    const loginMs = performance.now() - t1;
    console.log(`  ${N} accounts in ${accountsMs.toFixed(0)} ms, ${N} logins in ${loginMs.toFixed(0)} ms`);
    const results: Record<string, RoomResult & { median: number; medianServerCpuUs: number }> = {};
    for (const archive of modes) {
      const r = await benchRoom(server, clients, archive);
      results[archive ? 'archived' : 'in_memory'] = { ...r, median: median(r.runs), medianServerCpuUs: median(r.serverCpuUs) };
      console.log(`  ${archive ? 'archived' : 'in-memory'}: ${N} joins in ${r.joinMs.toFixed(0)} ms; median ${Math.round(median(r.runs)).toLocaleString()} delivered stanzas/s`);
    }
    console.log('\n| room | occupants | messages/run | runs | median delivered stanzas/s | median server CPU µs/stanza | = stanzas/s per busy core |');
    console.log('|---|---|---|---|---|---|---|');
    for (const [k, v] of Object.entries(results)) console.log(`| ${k} | ${N} | ${M} | ${v.runs.length} | ${Math.round(v.median).toLocaleString()} | ${v.medianServerCpuUs.toFixed(1)} | ${Math.round(1e6 / v.medianServerCpuUs).toLocaleString()} |`);
    mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
    const file = new URL(`./results/muc-fanout-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, import.meta.url);
    writeFileSync(file, JSON.stringify({ occupants: N, messages: M, senders: SENDERS, cpus: cpus().length, cpu: cpus()[0]?.model, load: loadavg(), results }, null, 2));
    console.log(`\nwritten ${file.pathname}`);
  } finally {
    for (const c of clients) c.close();
    await server.stop();
  }
}

main().then(() => process.exit(0), (e) => {
  console.error(e);
  process.exit(1);
});
