// npm run bench:files [-- --small N --large N --no-clamd]
// The file-pull pipeline as it runs when a message is held: HTTPS fetch from a loopback origin
// (SSRF guard, pinned address, byte cap), XEP-0300 sha-256 while streaming, magic-byte sniff,
// clamd INSTREAM scan (a clamd this bench starts with the test signature database, unless
// --no-clamd or clamd is missing), durable store (fsync + rename) and the grant row in SQLite.
// The time one pull takes is the delivery latency the hold adds to that message (routing the
// rewritten stanza afterwards costs well under a millisecond). Sizes: 1 MiB (N runs, default 20)
// and 100 MiB (default 3 runs). Every run uses a new URL so nothing comes from the pull cache.
// Writes bench/results/file-pull-<time>.json.
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { createServer } from 'node:https';
import { randomBytes } from 'node:crypto';
import { lookup as dnsLookup } from 'node:dns/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { createSqliteStorage } from '../src/storage/sqlite/index.ts';
import { ClamdScanner } from '../src/scan/clamd.ts';
import { Puller } from '../src/modules/file-pull/pull.ts';
import { parseAllowlist } from '../src/modules/file-pull/guard.ts';
import { DEFAULT_POLICY } from '../src/modules/file-pull/policy.ts';
import type { FileHostingService } from '../src/core/services.ts';
import { parseJid } from '../src/jid/index.ts';
import { startClamd, type RunningClamd } from '../test/helpers/clamd.ts';

const { values: args } = parseArgs({ options: { small: { type: 'string', default: '20' }, large: { type: 'string', default: '3' }, 'no-clamd': { type: 'boolean', default: false } } });
const MiB = 1024 * 1024;
const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'parley-bench-pull-'));

function makeFile(path: string, size: number): void {
  const fd = openSync(path, 'w');
  for (let off = 0; off < size; off += MiB) writeSync(fd, randomBytes(Math.min(MiB, size - off)));
  closeSync(fd);
}
const files: Record<string, { path: string; size: number }> = { '1MiB': { path: join(dir, 'small.bin'), size: MiB }, '100MiB': { path: join(dir, 'large.bin'), size: 100 * MiB } };
for (const f of Object.values(files)) makeFile(f.path, f.size);

const server = createServer({ cert: readFileSync(join(root, 'test/fixtures/tls/localhost.crt')), key: readFileSync(join(root, 'test/fixtures/tls/localhost.key')) }, (req, res) => {
  const name = new URL(req.url ?? '/', 'https://x').pathname.split('/')[1];
  const f = files[name];
  if (!f) return void res.writeHead(404).end();
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': f.size });
  createReadStream(f.path).pipe(res);
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const port = (server.address() as { port: number }).port;

let clamd: RunningClamd | undefined;
if (!args['no-clamd'] && existsSync('/usr/sbin/clamd')) clamd = await startClamd({ streamMaxLength: '200M' });
const scanner = clamd ? new ClamdScanner({ address: clamd.address, timeoutMs: 120_000 }) : null;

const storage = createSqliteStorage(join(dir, 'bench.sqlite'));
const hosting: FileHostingService = {
  scanner,
  scanFailure: 'closed',
  dir(area) {
    const d = join(dir, area);
    mkdirSync(d, { recursive: true });
    return d;
  },
  baseUrl: () => 'https://b.example',
  serve: async () => undefined,
  notFound: () => undefined,
};
const puller = new Puller({
  store: storage.files, hosting, log: pino({ level: 'silent' }), now: Date.now,
  metrics: { fetch: () => undefined, scan: () => undefined, quarantined: () => undefined },
  lookup: (h) => dnsLookup(h, { all: true }), allowlist: parseAllowlist([`127.0.0.1:${port}`]),
  connectTimeoutMs: 10_000, idleTimeoutMs: 30_000, totalTimeoutMs: 300_000, maxRedirects: 3, cacheMs: 0, maxConcurrent: 4,
});

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const results: Record<string, unknown> = {};
for (const [label, runs] of [['1MiB', Number(args.small)], ['100MiB', Number(args.large)]] as const) {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const o = await puller.pull({
      attachment: { url: `https://127.0.0.1:${port}/${label}?run=${i}-${randomBytes(4).toString('hex')}`, hashes: [], via: ['oob'] },
      recipient: parseJid('bob@b.example'), sender: parseJid('alice@a.example'), messageId: null,
      policy: { ...DEFAULT_POLICY, mode: 'pull', max_bytes: 200 * MiB }, domain: 'b.example', deadline: Date.now() + 300_000,
    });
    if (!('localUrl' in o)) throw new Error(`pull failed: ${JSON.stringify(o)}`);
    ms.push(performance.now() - t);
  }
  const size = files[label].size;
  const median = pct(ms, 50);
  results[label] = { runs, median_ms: +median.toFixed(1), p90_ms: +pct(ms, 90).toFixed(1), max_ms: +Math.max(...ms).toFixed(1), throughput_mib_s: +((size / MiB) / (median / 1000)).toFixed(1) };
  console.log(`${label.padEnd(7)} runs=${runs} median=${median.toFixed(1)} ms p90=${pct(ms, 90).toFixed(1)} ms → ${((size / MiB) / (median / 1000)).toFixed(1)} MiB/s${clamd ? ' (with clamd scan)' : ' (no scanner)'}`);
}

const out = { when: new Date().toISOString(), clamd: Boolean(clamd), cpus: cpus().length, loadavg: loadavg().map((l) => +l.toFixed(2)), results };
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, `bench/results/file-pull-${Date.now()}.json`), JSON.stringify(out, null, 2) + '\n');
server.close();
await storage.close();
await clamd?.dispose();
rmSync(dir, { recursive: true, force: true });
