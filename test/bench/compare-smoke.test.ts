// The side-by-side harness (bench/compare, `npm run bench:compare`) works end to end: a --quick
// run against Parley and Prosody starts both, creates accounts with each one's tooling, runs every
// scenario and writes the table, the JSON and the SVG. It checks that the harness works and
// measures something, never how fast anything is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/parley-cli.ts';
import { reapOnExit, terminate } from '../helpers/reaper.ts';
import { skipUnless } from '../helpers/services.ts';

const TIMEOUT_MS = 150_000; // a --quick run takes about a minute; CI machines are slower and shared

const EXPECTED = ['mem.per_conn', 'msg.rate', 'msg.cpu', 'msg.p50', 'msg.p99', 'muc.rate', 'muc.p99', 'login.rate', 'login.cpu', 'mam.latest', 'mam.oldest', 'roster.get', 'roster.login'];

interface Summary {
  median: number;
}
interface Result {
  key: string;
  perPeer: Record<string, Summary>;
  ratioToParley: Record<string, number>;
}

test('bench:compare --quick runs every scenario against Parley and Prosody', { skip: skipUnless('prosody'), timeout: TIMEOUT_MS + 10_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'parley-bench-smoke-'));
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/compare/cli.ts', '--quick', '--servers', 'parley,prosody', '--out', out], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    reapOnExit(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => void terminate(child), TIMEOUT_MS);
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    clearTimeout(timer);
    assert.equal(code, 0, `harness exited with ${code}\n${stdout.slice(-6000)}\n${stderr.slice(-3000)}`);

    // The table on stdout has a row per metric and a column per server.
    assert.match(stdout, /\| Metric \| Unit \| Parley median \(min–max\) \| Prosody median \(min–max\) \| Parley ÷ Prosody \|/);
    assert.match(stdout, /\| Login storm: STARTTLS \+ SCRAM \+ bind \|/);

    const files = readdirSync(out);
    const jsonFile = files.find((f) => f.endsWith('.json'));
    const svgFile = files.find((f) => f.endsWith('.svg'));
    assert.ok(jsonFile && svgFile, `expected a .json and an .svg in ${files.join(', ')}`);
    const json = JSON.parse(readFileSync(join(out, jsonFile), 'utf8')) as { failures: string[]; results: Result[]; servers: Array<{ name: string; setup: { tls: string } }>; environment: { cpu: string; commit: string } };
    assert.deepEqual(json.failures, []);
    assert.deepEqual(json.servers.map((s) => s.name), ['parley', 'prosody']);
    for (const s of json.servers) assert.match(s.setup.tls, /^TLSv1\.[23] /, `${s.name} negotiated TLS`);
    assert.ok(json.environment.cpu.length > 0 && json.environment.commit.length > 0);

    const byKey = new Map(json.results.map((r) => [r.key, r]));
    for (const key of EXPECTED) {
      const r = byKey.get(key);
      assert.ok(r, `metric ${key} missing`);
      for (const peer of ['parley', 'prosody']) {
        const v = r.perPeer[peer]?.median;
        // A memory delta over a few connections can be lost in allocator noise, even below zero.
        const ok = key === 'mem.per_conn' ? Number.isFinite(v) : Number.isFinite(v) && v > 0;
        assert.ok(ok, `${key} for ${peer} should be a ${key === 'mem.per_conn' ? 'finite' : 'positive'} number, got ${v}`);
      }
      assert.ok(Number.isFinite(r.ratioToParley.prosody), `${key}: Parley/Prosody ratio`);
    }

    const svg = readFileSync(join(out, svgFile), 'utf8');
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, />Parley</);
    assert.match(svg, />Prosody</);
    assert.match(svg, /<\/svg>\n$/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
