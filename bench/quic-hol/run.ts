// npm run bench:quic-hol -- [--loss 0,1,2,3] [--rounds 5] [--seconds 60] [--idle-seconds 10]
//   [--warmup 5] [--delay 25] [--file-mib 0] [--transports tcp,quic-single,quic-mux] [--out DIR]
// Head-of-line blocking over a lossy link (issue #10, specs/quic.md §7, docs/quic.md §8). Needs
// root: for each loss rate L it creates the network namespaces phq-s (server) and phq-c (client u)
// joined by a link with `delay` ms each way and L% random loss on both ends (veth + tc netem, or
// TUN + linkemu.py where the kernel has no netem), starts a server there, and removes it all after.
// Client u has two conversations on one connection: A = bulk in 4 KiB in-band chunks to x
// (unthrottled, for the whole load phase unless --file-mib sizes it), B = a 200-byte message every
// 100 ms to y. x and y sit next to the server. Per cell (L, round, transport): warm-up, idle phase
// (B only), warm-up with bulk, load phase (B under bulk); warm-ups are left out of the statistics.
// Every round runs all transports, in an order rotated per round. Output in --out/<stamp>-sweep/:
// deliveries.csv (every B delivery), cells.csv (B counts and bulk rate per cell), summary.md/json.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'smol-toml';
import { NS_CLIENT, NS_SERVER, SERVER_IP, netemAvailable, setup, setupEmulated, shape, teardown } from './netns.ts';
import { appendCell, lossSection, overview, pct, type Cell, type Row } from './report.ts';

const root = join(import.meta.dirname, '../..');
const { values: a } = parseArgs({
  options: {
    loss: { type: 'string', default: '2' },
    delay: { type: 'string', default: '25' },
    rate: { type: 'string', default: '0' },
    rounds: { type: 'string', default: '1' },
    seconds: { type: 'string', default: '60' },
    'idle-seconds': { type: 'string', default: '10' },
    warmup: { type: 'string', default: '5' },
    'file-mib': { type: 'string', default: '0' },
    transports: { type: 'string', default: 'tcp,quic-single,quic-mux' },
    out: { type: 'string', default: join(root, 'bench/quic-hol/results') },
  },
});
const losses = a.loss!.split(',').map(Number);
const transports = a.transports!.split(',');
const cert = join(root, 'test/fixtures/tls/localhost.crt');
const key = join(root, 'test/fixtures/tls/localhost.key');
const TCP_PORT = 5223;
const QUIC_PORT = 5224;
let serverProc: ChildProcess | null = null;

function lines(p: ChildProcess, onLine: (l: string) => void): void {
  let buf = '';
  p.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let i; (i = buf.indexOf('\n')) >= 0; buf = buf.slice(i + 1)) onLine(buf.slice(0, i));
  });
}

function inNs(ns: string, args: string[]): ChildProcess {
  return spawn('ip', ['netns', 'exec', ns, process.execPath, ...args], { cwd: root, env: process.env, stdio: ['pipe', 'pipe', 'inherit'] });
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

async function runCell(loss: number, round: number, order: number, transport: string): Promise<Cell> {
  const agent = ['--import', 'tsx', 'bench/quic-hol/agent.ts', '--ca', cert];
  const rx = inNs(NS_SERVER, [...agent, '--role', 'receiver', '--host', '127.0.0.1', '--tcp-port', String(TCP_PORT)]);
  const rxDone = waitLine(rx, (l) => l.startsWith('{'), 900_000);
  await waitLine(rx, (l) => l === 'ready', 60_000);
  const tx = inNs(NS_CLIENT, [...agent, '--role', 'sender', '--transport', transport, '--host', SERVER_IP, '--tcp-port', String(TCP_PORT), '--quic-port', String(QUIC_PORT),
    '--warmup-s', a.warmup!, '--idle-s', a['idle-seconds']!, '--load-s', a.seconds!, '--file-mib', a['file-mib']!]);
  const sender = JSON.parse(await waitLine(tx, (l) => l.startsWith('{'), 900_000));
  const rcv = JSON.parse(await rxDone);
  tx.stdin!.end();
  return { loss, round, order, transport, deliveries: rcv.deliveries, bSent: sender.bSent, bulkChunks: rcv.aChunks, bulkBytes: rcv.aBytes, bulkSeconds: rcv.aSeconds };
}

function writeConfig(dir: string): string {
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
  return configPath;
}

async function stopServer(): Promise<void> {
  if (!serverProc?.pid) return;
  const p = serverProc;
  serverProc = null;
  p.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 1500));
  if (p.exitCode === null) p.kill('SIGKILL');
}

/** All rounds at one loss rate: its own link and server, torn down afterwards. */
async function sweepLoss(loss: number, configPath: string, resultDir: string): Promise<Cell[]> {
  const netem = netemAvailable();
  if (netem) {
    setup();
    shape(Number(a.delay), loss, Number(a.rate));
  } else await setupEmulated(Number(a.delay), loss);
  console.error(`L=${loss}%: ${netem ? 'veth + tc netem' : 'TUN + linkemu.py (no sch_netem in this kernel)'}, ${a.delay} ms each way`);
  try {
    serverProc = spawn('ip', ['netns', 'exec', NS_SERVER, process.execPath, 'bin/parley.js', 'start', '--config', configPath], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    await waitLine(serverProc, (l) => l.includes('parley ready'), 120_000);
    const cells: Cell[] = [];
    for (let r = 0; r < Number(a.rounds); r++) {
      // Interleaved: every round runs each transport once; the order rotates so none always goes first.
      const order = transports.map((_, i) => transports[(i + r) % transports.length]);
      for (const [i, t] of order.entries()) {
        const c = await runCell(loss, r, i, t);
        cells.push(c);
        appendCell(resultDir, c);
        const l = (ph: string) => c.deliveries.filter((d) => d[0] === ph).map((d) => d[3]);
        console.error(`L=${loss} round ${r} ${t}: B load p50 ${pct(l('load'), 0.5)} p99 ${pct(l('load'), 0.99)} ms (n=${l('load').length}), idle p50 ${pct(l('idle'), 0.5)} p99 ${pct(l('idle'), 0.99)}; bulk ${(c.bulkBytes / 1024 / c.bulkSeconds).toFixed(0)} KiB/s`);
      }
    }
    return cells;
  } finally {
    await stopServer();
    teardown();
  }
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run as root (network namespaces and tc netem)');
  const dir = mkdtempSync(join(tmpdir(), 'parley-quic-hol-'));
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const resultDir = join(a.out!, `${stamp}-sweep`);
  mkdirSync(resultDir, { recursive: true });
  const desc = (loss: number) => `${netemAvailable() ? 'netem' : 'linkemu.py'} ${a.delay} ms each way, ${loss}% loss both ways, ${a.rounds} round(s) × ${a.seconds} s load + ${a['idle-seconds']} s idle, ${a.warmup} s warm-up dropped`;
  const sections: string[] = [];
  const byLoss = new Map<number, Row[]>();
  const all: Cell[] = [];
  try {
    const configPath = writeConfig(dir);
    for (const loss of losses) {
      const cells = await sweepLoss(loss, configPath, resultDir);
      all.push(...cells);
      const s = lossSection(loss, cells, transports, desc(loss));
      sections.push(s.md);
      byLoss.set(loss, s.rows);
      // Rewritten after every loss rate, so a long sweep that stops early keeps what it measured.
      const md = [`# bench/quic-hol sweep ${stamp}`, '', `Command: \`${process.argv.slice(2).join(' ')}\``, '', overview(byLoss), '', ...sections.flatMap((x) => [x, ''])].join('\n');
      writeFileSync(join(resultDir, 'summary.md'), md);
      writeFileSync(join(resultDir, 'summary.json'), JSON.stringify({ args: a, byLoss: Object.fromEntries(byLoss), cells: all.map((c) => ({ ...c, deliveries: c.deliveries.length })) }, null, 1));
    }
    console.log([overview(byLoss), '', ...sections].join('\n'));
    console.error(`results: ${resultDir}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (serverProc?.pid) serverProc.kill('SIGKILL');
    teardown();
    process.exit(130);
  });
}
await main();
