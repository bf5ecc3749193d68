// npm run bench:memory [-- --n 1000[,10000]] [--snapshots] [--late SECONDS] [--tsx] [--no-inspect]
// Memory per idle authenticated connection (issue #14; scenario 3 of bench:compare), broken down.
// Parley runs as a child process as in bench/compare/peers/parley.ts, from a private bundle of the
// current sources (dist/bench-memory/, so the shared dist/bundle is left alone; --tsx runs the
// sources through tsx instead). For each N: a fresh process, its inspector activated (SIGUSR1),
// RSS once idle; N clients log in (STARTTLS, SCRAM, bind, presence) and stay idle; RSS again.
// Reported per connection: the RSS delta as bench:compare measures it (no forced GC), then after
// a forced full GC the RSS delta split into V8 heap used, external (ArrayBuffers and other
// off-heap memory V8 is told about) and native (the rest: OpenSSL, libuv, malloc overhead,
// heap pages V8 keeps). --snapshots writes heap snapshots at 0 and N connections and prints the
// classes that grew, per connection.
import { build, type BuildOptions } from 'esbuild';
import { bundleOptions } from '../scripts/bundle-options.mjs';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { closeAll, openMany } from './compare/client/pool.ts';
import { quiesce } from './compare/client/quiesce.ts';
import { repoRoot, startParley } from './compare/peers/parley.ts';
import { rssBytes, sleep } from './compare/peers/proc.ts';
import { userName, userPassword } from './compare/client/pool.ts';
import { Inspector, type MemoryUsage } from './memory/inspector.ts';
import { diff, summarize } from './memory/snapshot.ts';
import { settledRss } from './compare/scenarios/memory.ts';

const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '1000' },
    snapshots: { type: 'boolean', default: false },
    tsx: { type: 'boolean', default: false },
    'no-inspect': { type: 'boolean', default: false },
    top: { type: 'string', default: '30' },
    /** Also sample RSS this many seconds after the first sample, still without a forced GC. */
    late: { type: 'string', default: '0' },
  },
});
const sizes = args.n!.split(',').map(Number);
const inspect = !args['no-inspect'];
const started = Date.now();
const log = (m: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${m}`);
const KiB = (b: number) => (b / 1024).toFixed(1);
const MiB = (b: number) => (b / 2 ** 20).toFixed(1);

async function privateBundle(): Promise<string> {
  const dir = join(repoRoot, 'dist/bench-memory'); // two levels below the root, like dist/bundle
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  await build(bundleOptions(repoRoot, dir) as BuildOptions);
  const launcher = join(dir, 'run.mjs');
  writeFileSync(launcher, "const { main } = await import('./parley.mjs');\nawait main(process.argv.slice(2));\n");
  return launcher;
}

const launcher = args.tsx ? join(repoRoot, 'bin/parley.js') : await privateBundle();
const peer = await startParley({ launcher, env: { PARLEY_NO_BUNDLE: args.tsx ? '1' : undefined, NODE_OPTIONS: inspect ? '--inspect-port=127.0.0.1:0' : '' } });
const results: unknown[] = [];
const snapDir = join(tmpdir(), 'parley-heap'); // .heapsnapshot files are large: not in the tree
try {
  const maxN = Math.max(...sizes);
  log(`parley (${args.tsx ? 'tsx' : 'private bundle'}): creating ${maxN} accounts`);
  await peer.createAccounts(Array.from({ length: maxN }, (_, i) => ({ username: userName(i), password: userPassword(i) })), (d) => d % 5000 === 0 && log(`  ${d}`));
  for (const n of sizes) {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    if (inspect && args.snapshots) {
      // The baseline snapshot comes from a process of its own: making a snapshot leaves tens of
      // MiB of freed malloc memory resident, which would be charged to the connections.
      await peer.restart();
      const i0 = await Inspector.attach(peer.pid(), () => peer.logTail());
      await quiesce(peer.pid(), 30_000);
      mkdirSync(snapDir, { recursive: true });
      await i0.heapSnapshot(join(snapDir, `${stamp}-0.heapsnapshot`));
      i0.close();
    }
    await peer.restart();
    const pid = peer.pid();
    const insp = inspect ? await Inspector.attach(pid, () => peer.logTail()) : null;
    const rss0 = await settledRss(pid);
    await insp?.gc();
    const mu0 = await insp?.memoryUsage();
    const t0 = performance.now();
    const conns = await openMany(peer.target, n, { presence: true, concurrency: n >= 5000 ? 100 : 50, resource: 'online', onProgress: (k) => k % 2500 === 0 && log(`  ${k}/${n} online`) });
    const secs = (performance.now() - t0) / 1000;
    const rss1 = await settledRss(pid);
    if (Number(args.late) > 0) {
      await sleep(Number(args.late) * 1000);
      const late = rssBytes(pid);
      log(`  ${args.late} s later, no forced GC: RSS ${MiB(late)} MiB = ${KiB((late - rss0) / n)} KiB per connection`);
    }
    await insp?.gc();
    const mu1 = await insp?.memoryUsage();
    const row: Record<string, unknown> = { n, connectSeconds: secs, rssBefore: rss0, rssAfter: rss1, perConnKiB: (rss1 - rss0) / 1024 / n };
    log(`N=${n} online in ${secs.toFixed(1)} s: RSS ${MiB(rss0)} -> ${MiB(rss1)} MiB = ${KiB((rss1 - rss0) / n)} KiB per connection (as bench:compare)`);
    if (mu0 && mu1) {
      const d = (k: keyof MemoryUsage) => (mu1[k] - mu0[k]) / n;
      const native = d('rss') - d('heapUsed') - d('external');
      Object.assign(row, { mu0, mu1 });
      log(`  after forced GC: RSS ${MiB(mu0.rss)} -> ${MiB(mu1.rss)} MiB = ${KiB(d('rss'))} KiB/conn: heap used ${KiB(d('heapUsed'))} (heap total ${KiB(d('heapTotal'))}), external ${KiB(d('external'))} (arrayBuffers ${KiB(d('arrayBuffers'))}), native ${KiB(native)}`);
      log(`  idle base after GC: RSS ${MiB(mu0.rss)} MiB, heap used ${MiB(mu0.heapUsed)} / total ${MiB(mu0.heapTotal)} MiB, external ${MiB(mu0.external)} MiB`);
    }
    if (insp && args.snapshots) {
      const after = join(snapDir, `${stamp}-${n}.heapsnapshot`);
      await insp.heapSnapshot(after);
      const rows = diff(summarize(join(snapDir, `${stamp}-0.heapsnapshot`)), summarize(after));
      const total = rows.reduce((s, r) => s + r.bytes, 0);
      log(`  heap snapshot growth: ${KiB(total / n)} KiB per connection; top classes (bytes/conn, objects/conn):`);
      for (const r of rows.slice(0, Number(args.top))) console.log(`    ${(r.bytes / n).toFixed(0).padStart(7)} B  ${(r.count / n).toFixed(2).padStart(7)}  ${r.key}`);
      row.snapshotTop = rows.slice(0, 60);
    }
    results.push(row);
    insp?.close();
    await closeAll(conns);
  }
} catch (e) {
  log(`failed: ${(e as Error).stack ?? e}\nserver log tail:\n${peer.logTail().slice(-3000)}`);
  process.exitCode = 1;
} finally {
  await peer.stop();
}
mkdirSync(join(repoRoot, 'bench/results'), { recursive: true });
const out = join(repoRoot, `bench/results/memory-${new Date(started).toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}.json`);
writeFileSync(out, JSON.stringify({ date: new Date(started).toISOString(), runner: args.tsx ? 'tsx' : 'bundle', results }, null, 1));
log(`written ${out}`);
