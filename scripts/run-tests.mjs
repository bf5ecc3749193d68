#!/usr/bin/env node
// Runs every test/**/*.test.ts with node's test runner through tsx.
// Node 20's --test does not expand globs, so the files are listed here.
// Checks the external services first and says clearly what will be skipped without them;
// with PARLEY_REQUIRE_SERVICES=1 a missing service is a failure instead.
import { spawn } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { probeServices } from './services.mjs';
import { bundle, makeTestCa } from './test-ca.mjs';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const filter = process.argv.slice(2);

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

let files = walk(join(root, 'test'));
if (filter.length) files = files.filter((f) => filter.some((x) => f.includes(x)));

const services = await probeServices();
const missing = Object.entries(services).filter(([, s]) => !s.ok);
for (const [name, s] of missing) {
  const msg = `service ${name} unavailable (${s.reason}): tests that need it will be SKIPPED`;
  if (process.env.PARLEY_REQUIRE_SERVICES === '1') {
    console.error(`${msg.replace(' will be SKIPPED', ' cannot run')} and PARLEY_REQUIRE_SERVICES=1 is set`);
    process.exit(1);
  }
  console.warn(`WARNING: ${msg}`);
}

const fixtureCert = join(root, 'test/fixtures/tls/localhost.crt');
const testCa = makeTestCa(['localhost', '*.localhost', 'parley.test', '*.parley.test']);
const env = {
  ...process.env,
  // Clients in the test processes trust the committed self-signed fixture and this run's CA.
  NODE_EXTRA_CA_CERTS: bundle(testCa.dir, [fixtureCert, testCa.ca]),
  PARLEY_TEST_CA: testCa.ca,
  PARLEY_TEST_CA_CERT: testCa.cert,
  PARLEY_TEST_CA_KEY: testCa.key,
  PARLEY_SERVICES: JSON.stringify(Object.fromEntries(Object.entries(services).map(([k, v]) => [k, v.ok]))),
};
const args = ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', '--test-reporter-destination=stdout', ...files];
const child = spawn(process.execPath, args, { stdio: 'inherit', env, cwd: root });
child.on('exit', (code, signal) => {
  rmSync(testCa.dir, { recursive: true, force: true });
  if (missing.length) console.warn(`\nSkipped for missing services: ${missing.map(([n, s]) => `${n} (${s.reason})`).join(', ')}`);
  process.exit(code ?? (signal ? 1 : 0));
});
