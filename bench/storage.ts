// npm run bench:storage [-- --ops N --concurrency C --url URL]
// SQLite (temp file, WAL, synchronous=FULL, as the server runs it) against PostgreSQL (a fresh
// schema in the `test` database, dropped afterwards) on a few hot store operations, through the
// same Storage API the server uses:
//   archive append   one message per call, awaited one after another (latency of a durable write)
//   archive append   C calls at once (the group commit both drivers do)
//   offline store    one append per call (quota check + insert in one transaction)
//   roster get       one contact of a 200-item roster
//   roster items     the whole 200-item roster
// Prints ops/s per driver and the PostgreSQL/SQLite ratio; writes bench/results/storage-<time>.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createPostgresStorage } from '../src/storage/postgres/index.ts';
import { createSqliteStorage } from '../src/storage/sqlite/index.ts';
import type { ArchiveEntry, Storage } from '../src/storage/types.ts';

const { values: args } = parseArgs({
  options: {
    ops: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '50' },
    url: { type: 'string', default: process.env.PARLEY_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const OPS = Number(args.ops);
const C = Number(args.concurrency);
const ROSTER = 200;
const D = 'bench.example';

const entry = (n: number): ArchiveEntry => ({
  owner: { username: `u${n % 10}`, domain: D },
  with: `contact${n % 50}@remote.example/res`,
  direction: n % 2 ? 'in' : 'out',
  stanza: `<message xmlns="jabber:client" type="chat" id="m${n}"><body>message number ${n} with a body of ordinary length</body></message>`,
});

interface Op {
  name: string;
  setup?(s: Storage): Promise<void>;
  /** Run `n` operations; returns how many were done. */
  run(s: Storage, n: number): Promise<number>;
}

const ops: Op[] = [
  {
    name: 'archive append (sequential)',
    async run(s, n) {
      for (let i = 0; i < n; i++) await s.archive.append([entry(i)]);
      return n;
    },
  },
  {
    name: `archive append (${C} concurrent)`,
    async run(s, n) {
      for (let i = 0; i < n; i += C) await Promise.all(Array.from({ length: Math.min(C, n - i) }, (_, j) => s.archive.append([entry(i + j)])));
      return n;
    },
  },
  {
    name: 'offline store (sequential)',
    async run(s, n) {
      const quota = { maxMessages: 1_000_000, maxBytes: 1_000_000_000 };
      for (let i = 0; i < n; i++) await s.offline.append(`u${i % 10}`, D, entry(i).stanza, Date.now(), quota);
      return n;
    },
  },
  {
    name: `roster get (1 of ${ROSTER})`,
    async setup(s) {
      for (let i = 0; i < ROSTER; i++) await s.roster.update('reader', D, `c${i}@remote.example`, { item: { jid: `c${i}@remote.example`, name: `Contact ${i}`, subscription: 'both', ask: false, approved: false, groups: ['Friends'] } });
    },
    async run(s, n) {
      for (let i = 0; i < n; i++) if (!(await s.roster.get('reader', D, `c${i % ROSTER}@remote.example`))) throw new Error('missing roster item');
      return n;
    },
  },
  {
    name: `roster items (all ${ROSTER})`,
    async run(s, n) {
      const m = Math.max(1, Math.floor(n / 10));
      for (let i = 0; i < m; i++) if ((await s.roster.items('reader', D)).length !== ROSTER) throw new Error('short roster');
      return m;
    },
  },
];

async function measure(s: Storage): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const op of ops) {
    await op.setup?.(s);
    await op.run(s, Math.min(50, OPS)); // warm up (statement caches, pool connections)
    const t = performance.now();
    const done = await op.run(s, OPS);
    out[op.name] = done / ((performance.now() - t) / 1000);
    process.stderr.write('.');
  }
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'parley-bench-storage-'));
const schema = `parley_bench_${process.pid}`;
let sqlite: Record<string, number>;
let postgres: Record<string, number>;
try {
  const s1 = createSqliteStorage(join(dir, 'bench.sqlite'));
  try {
    sqlite = await measure(s1);
  } finally {
    await s1.close();
  }
  const s2 = await createPostgresStorage({ url: args.url!, poolSize: 10, schema });
  try {
    postgres = await measure(s2);
  } finally {
    await s2.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  const c = new pg.Client({ connectionString: args.url });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await c.end();
}
process.stderr.write('\n');

const fmt = (n: number) => n.toFixed(0).padStart(9);
console.log(`${OPS} operations each; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs\n`);
console.log(`${'operation'.padEnd(32)} ${'sqlite/s'.padStart(9)} ${'pg/s'.padStart(9)}  pg/sqlite`);
const rows = ops.map((op) => ({ op: op.name, sqlite: sqlite![op.name], postgres: postgres![op.name], ratio: postgres![op.name] / sqlite![op.name] }));
for (const r of rows) console.log(`${r.op.padEnd(32)} ${fmt(r.sqlite)} ${fmt(r.postgres)}  ${r.ratio.toFixed(2)}`);
const resultsDir = new URL('./results/', import.meta.url);
mkdirSync(resultsDir, { recursive: true });
const file = new URL(`storage-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, resultsDir);
writeFileSync(file, JSON.stringify({ ops: OPS, concurrency: C, loadavg: loadavg(), cpus: cpus().length, results: rows }, null, 2));
console.log(`\nwritten to ${file.pathname}`);
