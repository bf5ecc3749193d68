// npm run bench:participants [-- --members N --occupants N --queries N --page N --pg-url URL]
// A persistent room with N members (default 10,000) plus one owner is written to a fresh SQLite
// file and a fresh PostgreSQL schema through the MucStore API. For each driver it measures:
//   - store: MucStore.affiliationPage keyset pages ((room, rank, seq) index) — first page, the page
//     after the middle member, and the last page (before the end);
//   - fetch: the room loaded from that store by the MUC service's RoomDirectory (once, timed), with
//     `--occupants` members also present, and the participant list iq handled in process
//     (participantsGet: parse, page from the in-memory index, build, serialize) — first page, a
//     middle page by cursor, and the last page (empty <before/>).
// Prints median and p99 per case and writes them to bench/results/muc-participants-<time>.json.
// Page time must not grow with the page's position (gc3-participants.md §6: p99 < 5 ms in process).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { parseJid } from '../src/jid/index.ts';
import type { MucOptions } from '../src/modules/muc/context.ts';
import { RoomDirectory } from '../src/modules/muc/directory.ts';
import { participantsGet } from '../src/modules/muc/participants.ts';
import { createLogger } from '../src/observability/log.ts';
import { createPostgresStorage } from '../src/storage/postgres/index.ts';
import { createSqliteStorage } from '../src/storage/sqlite/index.ts';
import type { Storage, StoredAffiliation } from '../src/storage/types.ts';
import { xml } from '../src/xml/element.ts';

const { values: args } = parseArgs({
  options: {
    members: { type: 'string', default: '10000' },
    occupants: { type: 'string', default: '50' },
    queries: { type: 'string', default: '1000' },
    page: { type: 'string', default: '50' },
    'pg-url': { type: 'string', default: process.env.PARLEY_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const MEMBERS = Number(args.members);
const OCCUPANTS = Number(args.occupants);
const Q = Number(args.queries);
const PAGE = Number(args.page);
const SERVICE = 'conference.bench.example';
const ROOM = `big@${SERVICE}`;
const NS = 'urn:xmpp:muc:participants:0';
const RSM = 'http://jabber.org/protocol/rsm';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Number(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))].toFixed(4));
};

interface Row {
  driver: string;
  layer: string;
  page: string;
  median_ms: number;
  p99_ms: number;
  items: number;
}
const rows: Row[] = [];

function time(driver: string, layer: string, page: string, fn: () => number): void {
  for (let i = 0; i < Math.min(50, Q); i++) fn(); // warm-up
  const times: number[] = [];
  let items = 0;
  for (let i = 0; i < Q; i++) {
    const t0 = performance.now();
    items = fn();
    times.push(performance.now() - t0);
  }
  rows.push({ driver, layer, page, median_ms: pct(times, 50), p99_ms: pct(times, 99), items });
}

async function timeAsync(driver: string, layer: string, page: string, fn: () => Promise<number>): Promise<void> {
  for (let i = 0; i < Math.min(50, Q); i++) await fn();
  const times: number[] = [];
  let items = 0;
  for (let i = 0; i < Q; i++) {
    const t0 = performance.now();
    items = await fn();
    times.push(performance.now() - t0);
  }
  rows.push({ driver, layer, page, median_ms: pct(times, 50), p99_ms: pct(times, 99), items });
}

async function benchDriver(driver: string, storage: Storage, afterFill: () => Promise<void> = async () => {}): Promise<Record<string, number>> {
  // --- fill: one owner, then MEMBERS members in creation (seq) order ---
  const affiliations: StoredAffiliation[] = [{ jid: 'owner@bench.example', affiliation: 'owner', nick: 'Owner', seq: 1 }];
  for (let i = 0; i < MEMBERS; i++) affiliations.push({ jid: `m${i}@bench.example`, affiliation: 'member', nick: null, seq: i + 2 });
  const fill0 = performance.now();
  await storage.muc.saveRoom({ jid: ROOM, service: SERVICE, createdSeq: 1, config: JSON.stringify({ persistent: true, whois: 'moderators' }), subject: null, secret: randomBytes(32).toString('base64'), nextSeq: MEMBERS + 2 }, affiliations);
  const fillMs = performance.now() - fill0;
  await afterFill();

  // --- store keyset pages ---
  const ranks = [0, 1, 2, 3];
  const middle = { rank: 2, seq: Math.floor(MEMBERS / 2) };
  await timeAsync(driver, 'store', 'first', async () => (await storage.muc.affiliationPage(ROOM, { ranks, limit: PAGE })).length);
  await timeAsync(driver, 'store', 'middle', async () => (await storage.muc.affiliationPage(ROOM, { ranks, after: middle, limit: PAGE })).length);
  await timeAsync(driver, 'store', 'last', async () => (await storage.muc.affiliationPage(ROOM, { ranks, before: { rank: 9, seq: 0 }, limit: PAGE })).length);

  // --- the iq path on the room loaded from this store ---
  const options = { host: 'conference.{domain}', name: 'Chatrooms', room_creation: 'local', lock_new_rooms: false, default_max_users: 200, max_users_limit: 10_000, default_history: 20, max_history: 100, nick_lockdown: false, iq_timeout: 60, max_rooms_per_page: 100 } as MucOptions;
  const directory = new RoomDirectory({
    domain: SERVICE,
    options,
    store: storage.muc,
    archive: storage.archive,
    archiveService: () => undefined,
    log: createLogger('fatal', 'json', new Writable({ write: (_c, _e, cb) => cb() })),
    metrics: { messages() {}, roomsChanged() {} },
    route: async () => {},
    isLocalUser: () => true,
    isServerAdmin: () => false,
    now: Date.now,
  });
  const load0 = performance.now();
  await directory.load();
  const loadMs = performance.now() - load0;
  const room = directory.get(parseJid(ROOM))!;
  for (let i = 0; i < OCCUPANTS; i++) room.addSession(parseJid(`m${i * 97}@bench.example`), parseJid(`m${i * 97}@bench.example/r`), `Nick${i}`, 'participant', xml('presence', {}, xml('show', {}, 'away')));
  const fetcher = parseJid('m1@bench.example/r');
  const query = (rsm: string) => xml('participants', { xmlns: NS }, xml('set', { xmlns: RSM }, xml('max', {}, String(PAGE)), rsm === 'last' ? xml('before') : rsm ? xml('after', {}, rsm) : undefined));
  const fetchPage = (rsm: string) => {
    const res = participantsGet(room, fetcher, query(rsm));
    res.toString();
    return res;
  };
  // One walk to find the cursor before the middle page.
  const cursors: string[] = [];
  for (let page = fetchPage(''); page.getChildren('participant').length > 0; ) {
    const last = page.getChild('set', RSM)!.getChildText('last')!;
    cursors.push(last);
    page = fetchPage(last);
  }
  const midCursor = cursors[Math.floor(cursors.length / 2)];
  const count = (rsm: string) => fetchPage(rsm).getChildren('participant').length;
  time(driver, 'fetch', 'first', () => count(''));
  time(driver, 'fetch', 'middle', () => count(midCursor));
  time(driver, 'fetch', 'last', () => count('last'));
  return { fill_ms: Number(fillMs.toFixed(1)), load_ms: Number(loadMs.toFixed(1)), pages_in_walk: cursors.length };
}

const env: Record<string, unknown> = { members: MEMBERS, occupants: OCCUPANTS, queries: Q, page: PAGE, cpus: cpus().length, cpu: cpus()[0]?.model, loadavg: loadavg(), node: process.version };
const dir = mkdtempSync(join(tmpdir(), 'parley-bench-participants-'));
const sqlite = createSqliteStorage(join(dir, 'bench.sqlite'));
try {
  env.sqlite = await benchDriver('sqlite', sqlite);
} finally {
  await sqlite.close();
  rmSync(dir, { recursive: true, force: true });
}
const schema = `parley_bench_participants_${process.pid}_${randomBytes(3).toString('hex')}`;
const pgStorage = await createPostgresStorage({ url: args['pg-url']!, poolSize: 4, schema });
try {
  // Planner statistics as autovacuum leaves them after a bulk insert (without them PostgreSQL
  // believes the fresh table is empty and sorts instead of reading the (room, rank, seq) index).
  env.postgres = await benchDriver('postgres', pgStorage, async () => void (await pgStorage.db.run('ANALYZE muc_affiliations')));
} finally {
  await pgStorage.close();
  const c = new pg.Client({ connectionString: args['pg-url'] });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await c.end();
}

console.table(rows);
console.log(env);
mkdirSync('bench/results', { recursive: true });
const out = `bench/results/muc-participants-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
writeFileSync(out, JSON.stringify({ env, rows }, null, 2));
console.log(`written ${out}`);
