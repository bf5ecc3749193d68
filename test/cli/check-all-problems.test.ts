// `parley check` lists every problem in one run: an unknown option and a missing certificate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runParley } from '../helpers/parley-cli.ts';

test('parley check reports an unknown option and a missing certificate together, exit non-zero', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-check-'));
  try {
    const cfg = join(dir, 'parley.toml');
    writeFileSync(cfg, 'domains = ["localhost"]\nfrobnicate = true\n\n[tls]\ncertificate = "missing.crt"\nkey = "missing.key"\n');
    const r = await runParley(['check', '--no-dns', '--config', cfg]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /parley\.toml:2: frobnicate: unknown key/);
    assert.match(r.stderr, /tls\.certificate: missing\.crt does not exist/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
