// npm run bench:mam [-- --messages N --queries N --page N --keep]
// Fills one user's archive with N messages (default 1,000,000) in a temporary SQLite database
// through the ArchiveStore API (batches, one transaction each; the database runs with the same
// WAL + synchronous=FULL settings as the server), then measures page latency: first page, a
// middle page via RSM after, the last page (RSM <before/>), and a 'with' filtered page, each with
// no RSM count/index, with the bounded count the server uses (rsm_count_limit, default 10,000)
// and with an exact count, plus count-only queries and single-message appends.
// Prints a table of median and p99 and writes the figures to bench/results/mam-<time>.json.
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { parseJid } from '../src/jid/index.ts';
import { runQuery } from '../src/modules/mam/query.ts';
import { createSqliteStorage } from '../src/storage/sqlite/index.ts';
import { SqliteArchive } from '../src/storage/sqlite/archive.ts';
import type { ArchiveEntry, ArchiveQuery } from '../src/storage/types.ts';
import { xml } from '../src/xml/element.ts';

const { values: args } = parseArgs({
  options: {
    messages: { type: 'string', default: '1000000' },
    queries: { type: 'string', default: '200' },
    page: { type: 'string', default: '50' },
    batch: { type: 'string', default: '10000' },
    contacts: { type: 'string', default: '100' },
    keep: { type: 'boolean', default: false },
  },
});
const N = Number(args.messages);
const Q = Number(args.queries);
const PAGE = Number(args.page);
const BATCH = Number(args.batch);
const CONTACTS = Number(args.contacts);

const dir = mkdtempSync(join(tmpdir(), 'parley-bench-mam-'));
const dbPath = join(dir, 'bench.sqlite');
const storage = createSqliteStorage(dbPath);
// One message every 30 s of simulated time (the store reads the clock once per message): a
// year of history for a million messages.
const clock = { t: Date.UTC(2024, 0, 1) };
const archive = new SqliteArchive(storage.db, () => (clock.t += 30_000));
const owner = { username: 'juliet', domain: 'capulet.lit' };
const ownerJid = parseJid('juliet@capulet.lit');
const contact = (i: number) => `contact${i % CONTACTS}@montague.lit`;

// --- fill ---
const sampleIds: string[] = []; // every 1000th id, to pick cursors from
const fillStart = performance.now();
const bar = new cliProgress.SingleBar({ format: 'filling archive [{bar}] {percentage}% {value}/{total} messages | {rate} msg/s | eta {eta}s', hideCursor: true, noTTYOutput: true, notTTYSchedule: 5000 }, cliProgress.Presets.shades_classic);
bar.start(N, 0, { rate: 0 });
for (let done = 0; done < N; ) {
  const n = Math.min(BATCH, N - done);
  const entries: ArchiveEntry[] = [];
  for (let i = 0; i < n; i++) {
    const k = done + i;
    const out = k % 3 === 0;
    const peer = `${contact(k)}/phone`;
    entries.push({
      owner,
      with: peer,
      direction: out ? 'out' : 'in',
      stanza: `<message xmlns="jabber:client" type="chat" id="msg-${k}" from="${out ? 'juliet@capulet.lit/balcony' : peer}" to="${out ? peer : 'juliet@capulet.lit'}"><body>Message number ${k}: what's in a name? That which we call a rose by any other word would smell as sweet.</body><origin-id xmlns="urn:xmpp:sid:0" id="o-${k}"/></message>`,
    });
  }
  const ids = await archive.append(entries);
  for (let i = 0; i < ids.length; i++) if ((done + i) % 1000 === 0) sampleIds.push(ids[i].id);
  done += n;
  bar.update(done, { rate: Math.round(done / ((performance.now() - fillStart) / 1000)) });
}
bar.stop();
const fillSeconds = (performance.now() - fillStart) / 1000;
storage.db.pragma('wal_checkpoint(TRUNCATE)');
const dbBytes = statSync(dbPath).size;
console.log(`filled ${N.toLocaleString()} messages in ${fillSeconds.toFixed(1)} s (${Math.round(N / fillSeconds).toLocaleString()} msg/s), database ${(dbBytes / 1e6).toFixed(0)} MB`);

// --- measure ---
interface Row { case: string; count: string; median_ms: number; p99_ms: number; mean_items: number; counted: number }
const rows: Row[] = [];
const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)];
const middle = sampleIds.slice(Math.floor(sampleIds.length * 0.25), Math.ceil(sampleIds.length * 0.75));
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

const COUNT_MODES: Array<[label: string, limit: number]> = [['no', 0], ['≤10k', 10_000], ['exact', Number.MAX_SAFE_INTEGER]];

async function measure(name: string, [label, countLimit]: [string, number], make: () => ArchiveQuery, check: (items: number) => void = () => {}) {
  const times: number[] = [];
  let items = 0;
  let counted = 0;
  for (let i = 0; i < Q; i++) {
    const q = { ...make(), countLimit };
    const t0 = performance.now();
    const page = await archive.query(owner, q);
    times.push(performance.now() - t0);
    items += page.items.length;
    if (page.count !== undefined) counted++;
    check(page.items.length);
    if (page.unknownIds.length) throw new Error(`unknown ids in ${name}`);
  }
  times.sort((a, b) => a - b);
  rows.push({ case: name, count: label, median_ms: pct(times, 50), p99_ms: pct(times, 99), mean_items: items / Q, counted });
}

const full = (n: number) => (got: number) => {
  if (got !== n) throw new Error(`expected a full page of ${n}, got ${got}`);
};
for (const count of COUNT_MODES) {
  await measure('first page', count, () => ({ limit: PAGE }), full(PAGE));
  await measure('middle page (RSM after)', count, () => ({ limit: PAGE, pageAfter: pick(middle) }), full(PAGE));
  await measure('last page (RSM before, empty)', count, () => ({ limit: PAGE, backwards: true }), full(PAGE));
  await measure('with filter, first page', count, () => ({ limit: PAGE, with: contact(Math.floor(Math.random() * CONTACTS)) }), full(PAGE));
  await measure('with filter, middle (RSM after)', count, () => ({ limit: PAGE, with: contact(Math.floor(Math.random() * CONTACTS)), pageAfter: pick(middle) }));
  await measure('start/end (one day)', count, () => {
    const day = Date.UTC(2024, 0, 1) + Math.floor(Math.random() * (N * 30_000 - 86_400_000));
    return { limit: PAGE, start: day, end: day + 86_400_000 };
  }, full(PAGE));
}
await measure('count only (RSM max=0)', COUNT_MODES[2], () => ({ limit: 0 }));
await measure('count only, with filter (RSM max=0)', COUNT_MODES[1], () => ({ limit: 0, with: contact(Math.floor(Math.random() * CONTACTS)) }));

// The whole server-side path of one query minus the socket: store + result stanzas + <fin/>.
{
  const times: number[] = [];
  for (let i = 0; i < Q; i++) {
    const payload = xml('query', { xmlns: 'urn:xmpp:mam:2', queryid: 'q' }, xml('set', { xmlns: 'http://jabber.org/protocol/rsm' }, xml('max', {}, String(PAGE)), xml('after', {}, pick(middle))));
    const t0 = performance.now();
    const { messages } = await runQuery(payload, { store: archive, owner: ownerJid, to: parseJid('juliet@capulet.lit/balcony') }, { defaultPageSize: PAGE, maxPageSize: PAGE, countLimit: 10_000 });
    for (const m of messages) m.toString();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  rows.push({ case: 'full query path, middle page (stanzas built)', count: '≤10k', median_ms: pct(times, 50), p99_ms: pct(times, 99), mean_items: PAGE, counted: 0 });
}

// Live archiving: one message per append, each its own durable commit (fsync).
{
  const times: number[] = [];
  for (let i = 0; i < Q; i++) {
    const t0 = performance.now();
    await archive.append([{ owner, with: contact(i), direction: 'in', stanza: '<message xmlns="jabber:client"><body>live</body></message>' }]);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  rows.push({ case: 'append one message (durable commit)', count: '-', median_ms: pct(times, 50), p99_ms: pct(times, 99), mean_items: 1, counted: 0 });
}

const fmt = (n: number) => n.toFixed(3).padStart(9);
console.log(`\n${Q} queries per case, page size ${PAGE}, ${N.toLocaleString()} messages, ${CONTACTS} contacts (load average ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs)\n`);
console.log(`| case                                              | count | median ms |    p99 ms | pages with count |`);
console.log(`|---------------------------------------------------|-------|-----------|-----------|------------------|`);
for (const r of rows) console.log(`| ${r.case.padEnd(49)} | ${r.count.padEnd(5)} | ${fmt(r.median_ms)} | ${fmt(r.p99_ms)} | ${String(r.counted).padStart(16)} |`);

const resultsDir = new URL('./results/', import.meta.url);
mkdirSync(resultsDir, { recursive: true });
const out = new URL(`mam-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, resultsDir);
writeFileSync(out, JSON.stringify({
  bench: 'mam',
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  loadavg: loadavg(),
  messages: N,
  contacts: CONTACTS,
  page_size: PAGE,
  queries_per_case: Q,
  fill: { seconds: fillSeconds, messages_per_second: N / fillSeconds, batch: BATCH, db_bytes: dbBytes },
  rows,
}, null, 2));
console.log(`\nresults: ${out.pathname}`);

await storage.close();
if (!args.keep) rmSync(dir, { recursive: true, force: true });
else console.log(`database kept: ${dbPath}`);
