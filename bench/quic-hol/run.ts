// npm run bench:quic-hol [-- --loss 2 --delay 25 --rounds 1 --load-s 40 --noload-s 8 --file-mib 20]
// Head-of-line blocking over a lossy link (issue #10, specs/quic.md §7). Needs root: creates the
// network namespaces phq-s (server) and phq-c (client u) joined by a veth pair with tc netem
// (delay per direction, random loss) on both ends, and removes them at the end.
// Client u has two conversations on one connection: A = a 20 MiB file in 4 KiB in-band chunks
// to x, B = a 200-byte message every 100 ms to y. x and y sit next to the server. For TCP (Direct
// TLS), QUIC single-stream (XEP-0467) and QUIC mux (docs/quic.md) it reports B's delivery latency
// p50/p99 with and without the bulk transfer, and the ratios to TCP. Rounds alternate transports.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'smol-toml';
import { NS_CLIENT, NS_SERVER, SERVER_IP, netemAvailable, setup, setupEmulated, shape, teardown } from './netns.ts';

const root = join(import.meta.dirname, '../..');
const { values: a } = parseArgs({
  options: {
    loss: { type: 'string', default: '2' },
    delay: { type: 'string', default: '25' },
    rate: { type: 'string', default: '0' },
    rounds: { type: 'string', default: '1' },
    'load-s': { type: 'string', default: '40' },
    'noload-s': { type: 'string', default: '8' },
    'file-mib': { type: 'string', default: '20' },
    transports: { type: 'string', default: 'tcp,quic-single,quic-mux' },
    out: { type: 'string', default: join(root, 'bench/quic-hol/results') },
  },
});
const cert = join(root, 'test/fixtures/tls/localhost.crt');
const key = join(root, 'test/fixtures/tls/localhost.key');
const TCP_PORT = 5223;
let serverProc: ChildProcess | null = null;
const QUIC_PORT = 5224;

function lines(p: ChildProcess, onLine: (l: string) => void): void {
  let buf = '';
  p.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let i; (i = buf.indexOf('\n')) >= 0; buf = buf.slice(i + 1)) onLine(buf.slice(0, i));
  });
}

function inNs(ns: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn('ip', ['netns', 'exec', ns, process.execPath, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'inherit'] });
}

function waitLine(p: ChildProcess, pred: (l: string) => boolean, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timed out')), timeoutMs);
    lines(p, (l) => {
      if (pred(l)) {
        clearTimeout(t);
        resolve(l);
      }
    });
    p.once('exit', (code) => reject(new Error(`exited ${code}`)));
  });
}

const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : NaN;
};

async function runOne(transport: string): Promise<{ transport: string; lat: Record<string, number[]>; sender: Record<string, number>; receiver: Record<string, number> }> {
  const agent = ['--import', 'tsx', 'bench/quic-hol/agent.ts', '--ca', cert];
  const rx = inNs(NS_SERVER, [...agent, '--role', 'receiver', '--host', '127.0.0.1', '--tcp-port', String(TCP_PORT)]);
  const rxDone = waitLine(rx, (l) => l.startsWith('{'), 600_000);
  await waitLine(rx, (l) => l === 'ready', 60_000);
  const tx = inNs(NS_CLIENT, [...agent, '--role', 'sender', '--transport', transport, '--host', SERVER_IP, '--tcp-port', String(TCP_PORT), '--quic-port', String(QUIC_PORT), '--load-s', a['load-s']!, '--noload-s', a['noload-s']!, '--file-mib', a['file-mib']!]);
  const sender = JSON.parse(await waitLine(tx, (l) => l.startsWith('{'), 600_000));
  const received = JSON.parse(await rxDone);
  tx.stdin!.end();
  return { transport, lat: received.lat, sender, receiver: { aChunks: received.aChunks, aSeconds: received.aSeconds } };
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run as root (network namespaces and tc netem)');
  const dir = mkdtempSync(join(tmpdir(), 'parley-quic-hol-'));
  const configPath = join(dir, 'parley.toml');
  writeFileSync(configPath, stringify({
    domains: ['localhost'],
    data_dir: join(dir, 'data'),
    c2s: { port: 0, direct_tls_port: TCP_PORT, interfaces: ['127.0.0.1', SERVER_IP], max_outbound_queue_bytes: 64 * 1024 * 1024 },
    s2s: { enabled: false, port: 0, direct_tls_port: 0 },
    http: { port: 0, https_port: 0 },
    components: { port: 0 },
    tls: { certificate: cert, key },
    auth: { scram_iterations: 4096 },
    limits: { max_stanza_size: 1024 * 1024 },
    log: { level: 'info' },
    quic: { enabled: true, port: QUIC_PORT, interfaces: [SERVER_IP] },
  }));
  for (const u of ['u', 'x', 'y']) execFileSync(process.execPath, ['bin/parley.js', 'adduser', `${u}@localhost`, '--password', 'pw', '--config', configPath], { cwd: root, stdio: 'ignore' });
  const netem = netemAvailable();
  let server: ChildProcess | null = null;
  try {
    if (netem) {
      setup();
      shape(Number(a.delay), Number(a.loss), Number(a.rate));
    } else await setupEmulated(Number(a.delay), Number(a.loss));
    console.error(`link: ${netem ? 'veth + tc netem' : 'TUN + linkemu.py (no sch_netem in this kernel)'}, ${a.delay} ms each way, ${a.loss}% loss`);
    server = serverProc = spawn('ip', ['netns', 'exec', NS_SERVER, process.execPath, 'bin/parley.js', 'start', '--config', configPath], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    await waitLine(server, (l) => l.includes('parley ready'), 120_000);
    const runs = [];
    for (let r = 0; r < Number(a.rounds); r++) {
      for (const t of a.transports!.split(',')) {
        const res = await runOne(t);
        runs.push({ round: r, ...res });
        console.error(`round ${r} ${t}: B load p50 ${pct(res.lat.load, 0.5)} ms p99 ${pct(res.lat.load, 0.99)} ms (n=${res.lat.load.length}); no load p50 ${pct(res.lat.noload, 0.5)} p99 ${pct(res.lat.noload, 0.99)}; A ${res.receiver.aChunks} chunks in ${res.sender.bulkSeconds}s`);
      }
    }
    report(runs);
  } finally {
    if (server?.pid) {
      server.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 1500));
    }
    teardown();
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(runs: Array<{ round: number; transport: string; lat: Record<string, number[]>; sender: Record<string, number>; receiver: Record<string, number> }>): void {
  const by = (t: string, phase: string) => runs.filter((r) => r.transport === t).flatMap((r) => r.lat[phase]);
  const tcp = { p50: pct(by('tcp', 'load'), 0.5), p99: pct(by('tcp', 'load'), 0.99) };
  const rows = a.transports!.split(',').map((t) => {
    const load = by(t, 'load');
    const idle = by(t, 'noload');
    const p50 = pct(load, 0.5);
    const p99 = pct(load, 0.99);
    const chunks = runs.filter((r) => r.transport === t).reduce((s, r) => s + r.receiver.aChunks, 0);
    const secs = runs.filter((r) => r.transport === t).reduce((s, r) => s + r.sender.bulkSeconds, 0);
    return { transport: t, n: load.length, p50, p99, idle_p50: pct(idle, 0.5), idle_p99: pct(idle, 0.99), p50_vs_tcp: p50 / tcp.p50, p99_vs_tcp: p99 / tcp.p99, bulk_kib_s: (chunks * 4) / secs };
  });
  const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
  const md = [
    `B latency under bulk load, ${netemAvailable() ? 'netem' : 'linkemu.py'} ${a.delay} ms each way (RTT ${2 * Number(a.delay)} ms), ${a.loss}% loss both ways, ${a.rounds} round(s) x ${a['load-s']} s`,
    '',
    '| transport | B n | B p50 ms | B p99 ms | p50 / TCP | p99 / TCP | idle p50 ms | idle p99 ms | bulk KiB/s |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.transport} | ${r.n} | ${r.p50} | ${r.p99} | ${f(r.p50_vs_tcp)} | ${f(r.p99_vs_tcp)} | ${r.idle_p50} | ${r.idle_p99} | ${f(r.bulk_kib_s, 0)} |`),
  ].join('\n');
  console.log(md);
  mkdirSync(a.out!, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  writeFileSync(join(a.out!, `${stamp}-loss${a.loss}.md`), md + '\n');
  writeFileSync(join(a.out!, `${stamp}-loss${a.loss}.json`), JSON.stringify({ args: a, rows, runs: runs.map((r) => ({ ...r, lat: undefined })) }, null, 1));
  const csv = ['round,transport,phase,latency_ms', ...runs.flatMap((r) => Object.entries(r.lat).flatMap(([ph, xs]) => xs.map((x) => `${r.round},${r.transport},${ph},${x}`)))].join('\n');
  writeFileSync(join(a.out!, `${stamp}-loss${a.loss}.csv`), csv + '\n');
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (serverProc?.pid) serverProc.kill('SIGKILL');
    teardown();
    process.exit(130);
  });
}
await main();
