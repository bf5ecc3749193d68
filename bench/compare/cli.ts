// npm run bench:compare [-- --quick | --full] [--rounds N] [--servers parley,prosody,ejabberd]
//                       [--out DIR] [--profile] [--prosody-storage sql|internal] [--budget-minutes M]
//                       [--archive N]  (messages in the MAM archive; --full fills 100,000 through each server)
// Side-by-side performance of Parley, Prosody and ejabberd on this machine (issue #14). Each server
// runs as a child process with an equivalent configuration (roster, offline, MAM, carbons, MUC,
// TLS required) on its own loopback ports and data directory; the load client in this process
// speaks XMPP over raw TLS sockets. Rounds alternate between the servers (A, B, C, A, B, C, ...);
// the table gives each metric's median and range over rounds and Parley's ratio to each peer.
// Writes <out>/<date>.json and <out>/<date>.svg (and compare-latest.svg for default/full runs).
// Details and caveats: docs/performance.md.
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ejabberdMissing, startEjabberd } from './peers/ejabberd.ts';
import { repoRoot, startParley } from './peers/parley.ts';
import { prosodySqliteAvailable, startProsody, type ProsodyStorage } from './peers/prosody.ts';
import { PEER_LABELS, type Peer, type PeerName } from './peers/types.ts';
import { environment } from './report/env.ts';
import { summarizeProfile } from './report/profile.ts';
import { summarizeRounds } from './report/results.ts';
import { svgChart } from './report/svg.ts';
import { markdownTable } from './report/table.ts';
import { runRound, setupPeer, type SetupFacts } from './round.ts';
import { SCALES, type Scale } from './scale.ts';
import type { Measurement } from './scenarios/types.ts';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    full: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    servers: { type: 'string' },
    out: { type: 'string', default: join(repoRoot, 'bench/results') },
    profile: { type: 'boolean', default: false },
    'prosody-storage': { type: 'string' },
    'budget-minutes': { type: 'string' },
    archive: { type: 'string' },
  },
});

const base = SCALES[args.quick ? 'quick' : args.full ? 'full' : 'default'];
const scale: Scale = {
  ...base,
  rounds: args.rounds ? Number(args.rounds) : base.rounds,
  budgetMinutes: args['budget-minutes'] ? Number(args['budget-minutes']) : base.budgetMinutes,
  // Filling goes through each server at its own pace (Prosody with SQLite: ~800 msg/s on a quiet
  // machine), so a smaller archive keeps a --full run short when the MAM figure is not the point.
  mam: args.archive ? { ...base.mam, archive: Number(args.archive) } : base.mam,
};
if (!(scale.mam.archive > 0)) throw new Error('--archive takes a positive number of messages');
const outDir = args.out!;
mkdirSync(outDir, { recursive: true });
const started = Date.now();
const stamp = new Date(started).toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
const log = (msg: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${msg}`);

/** Why a server cannot run here, or null. */
const missing: Record<PeerName, () => string | null> = {
  parley: () => null,
  prosody: () => (existsSync('/usr/bin/prosody') ? null : 'not installed (Debian package prosody)'),
  ejabberd: ejabberdMissing,
};
const requested = (args.servers ?? (args.quick ? 'parley,prosody' : 'parley,prosody,ejabberd')).split(',').map((s) => s.trim()) as PeerName[];
const notMeasured: string[] = [];
for (const p of requested) if (!(p in missing)) throw new Error(`unknown server ${p} (parley, prosody, ejabberd)`);
const names = requested.filter((p) => {
  const why = missing[p]();
  if (why) notMeasured.push(`${PEER_LABELS[p]}: not measured: ${why}`);
  return !why;
});
// XEP-0045 fan-out needs Parley's MUC module (src/modules/muc).
const withMuc = existsSync(join(repoRoot, 'src/modules/muc/index.ts'));
if (!withMuc) notMeasured.push('MUC fan-out: not measured (Parley has no MUC module yet: src/modules/muc is missing)');

const env = environment(repoRoot);
log(`bench:compare, ${scale.name} scale, ${scale.rounds} round(s); servers: ${names.map((n) => PEER_LABELS[n]).join(', ')}`);
log(`CPU: ${env.cpu} x ${env.cpus}, load average ${env.loadAverageAtStart.join(' ')}, Node ${env.node}, commit ${env.commit.slice(0, 12)}`);
for (const n of notMeasured) log(n);

const prosodyStorage = (args['prosody-storage'] ?? (prosodySqliteAvailable() ? 'sql' : 'internal')) as ProsodyStorage;
if (prosodyStorage !== 'sql' && prosodyStorage !== 'internal') throw new Error('--prosody-storage is sql or internal');
if (prosodyStorage === 'sql' && !prosodySqliteAvailable()) throw new Error('--prosody-storage sql needs the Debian package lua-dbi-sqlite3');
if (names.includes('prosody') && prosodyStorage === 'internal') log('Prosody: internal file storage (no SQLite driver, Debian lua-dbi-sqlite3, or --prosody-storage internal)');

const profileDir = args.profile ? join(outDir, `profiles-${stamp}`) : undefined;
if (profileDir) mkdirSync(profileDir, { recursive: true });
const starters: Record<PeerName, () => Promise<Peer>> = {
  parley: () => startParley({ cpuProfileDir: profileDir }),
  prosody: () => startProsody(prosodyStorage),
  ejabberd: startEjabberd,
};

const peers: Peer[] = [];
const setup: Partial<Record<PeerName, SetupFacts>> = {};
const rounds: Array<{ round: number; peer: PeerName; measurements: Measurement[] }> = [];
const failures: string[] = [];
let roundsRun = 0;
try {
  for (const name of names) {
    log(`${PEER_LABELS[name]}: starting`);
    const peer = await starters[name]();
    peers.push(peer);
    log(`${PEER_LABELS[name]} ${peer.version}: setting up (pid ${peer.pid()}, port ${peer.target.port})`);
    setup[name] = await setupPeer(peer, scale, (m) => log(`${PEER_LABELS[name]}: ${m}`));
  }
  let lastRoundMs = 0;
  for (let round = 1; round <= scale.rounds; round++) {
    // A round that would end past the budget is not started (the first always runs).
    const endsAt = Date.now() + lastRoundMs;
    if (round > 1 && endsAt - started > scale.budgetMinutes * 60_000) {
      const msg = `rounds ${round}-${scale.rounds} not run: another round (about ${Math.round(lastRoundMs / 1000)} s) would pass the ${scale.budgetMinutes}-minute budget (--budget-minutes)`;
      notMeasured.push(msg);
      log(msg);
      break;
    }
    const roundStart = Date.now();
    for (const peer of peers) {
      const tag = `round ${round}/${scale.rounds} ${PEER_LABELS[peer.name]}`;
      log(`${tag}: start`);
      try {
        const r = await runRound({ peer, scale, round, progress: (m) => log(`${tag}: ${m}`) }, withMuc);
        rounds.push({ round, peer: peer.name, measurements: r.measurements });
        failures.push(...r.failures.map((f) => `${tag}: ${f}`));
        if (r.failures.length) log(`${PEER_LABELS[peer.name]} log tail:\n${peer.logTail().slice(-3000)}`);
      } catch (e) {
        const msg = `${tag} failed: ${(e as Error).stack ?? e}`;
        failures.push(msg);
        log(msg);
        log(`${PEER_LABELS[peer.name]} log tail:\n${peer.logTail().slice(-3000)}`);
      }
    }
    lastRoundMs = Date.now() - roundStart;
    roundsRun = round;
  }
} catch (e) {
  failures.push(`setup failed: ${(e as Error).stack ?? e}`);
  log(failures[failures.length - 1]);
  for (const p of peers) log(`${PEER_LABELS[p.name]} log tail:\n${p.logTail().slice(-3000)}`);
} finally {
  for (const p of peers) await p.stop().catch((e) => log(`stopping ${p.name}: ${e}`));
}

const measured = peers.map((p) => p.name);
const results = summarizeRounds(rounds, measured);
const table = markdownTable(results, measured);
console.log(`\n${table}\n`);
for (const n of notMeasured) console.log(`- ${n}`);

const durationSeconds = Math.round((Date.now() - started) / 1000);
const json = {
  date: new Date(started).toISOString(),
  durationSeconds,
  scale,
  roundsRun,
  environment: { ...env, loadAverageAtEnd: loadavg().map((x) => Math.round(x * 100) / 100) },
  servers: peers.map((p) => ({ name: p.name, version: p.version, notes: p.notes, setup: setup[p.name] })),
  notMeasured,
  failures,
  results,
  rounds,
};
const jsonPath = join(outDir, `${stamp}.json`);
writeFileSync(jsonPath, JSON.stringify(json, null, 2));
const svg = svgChart(results, measured, {
  title: `Parley vs ${measured.filter((p) => p !== 'parley').map((p) => PEER_LABELS[p]).join(' and ')}: ${scale.name} scale, ${roundsRun} round(s)`,
  subtitle: `${json.date.slice(0, 10)} · commit ${env.commit.slice(0, 10)} · ${env.cpu} × ${env.cpus} (shared, load ${env.loadAverageAtStart[0]}) · ${peers.map((p) => `${PEER_LABELS[p.name]} ${p.version}`).join(', ')}`,
});
const svgPath = join(outDir, `${stamp}.svg`);
writeFileSync(svgPath, svg);
if (scale.name !== 'quick' && failures.length === 0) copyFileSync(svgPath, join(outDir, 'compare-latest.svg'));
log(`wrote ${jsonPath} and ${svgPath} in ${durationSeconds} s${failures.length ? `; ${failures.length} failure(s)` : ''}`);

if (profileDir) {
  // The main thread of each Parley process (the loader thread's profile is mostly startup).
  for (const f of readdirSync(profileDir).filter((x) => x.endsWith('.cpuprofile')).sort()) {
    const s = summarizeProfile(join(profileDir, f));
    if (s.total < 2000) continue;
    console.log(`\nParley CPU profile ${f}: ${(s.total / 1000).toFixed(1)} s on CPU\n  by file:`);
    for (const x of s.files.slice(0, 15)) console.log(`    ${(x.share * 100).toFixed(1).padStart(5)}%  ${x.ms.toFixed(0).padStart(7)} ms  ${x.name}`);
    console.log('  by function (self time):');
    for (const x of s.functions.slice(0, 25)) console.log(`    ${(x.share * 100).toFixed(1).padStart(5)}%  ${x.ms.toFixed(0).padStart(7)} ms  ${x.name}`);
  }
}
process.exit(failures.length ? 1 : 0);
