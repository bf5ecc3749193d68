import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseConfigText } from '../../src/config/loader.ts';

function problems(text: string): string[] {
  try {
    parseConfigText(text, 'parley.toml');
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

test('an empty file gives the development defaults', () => {
  const c = parseConfigText('', 'parley.toml');
  assert.deepEqual(c.domains, ['localhost']);
  assert.equal(c.c2s.port, 5222);
  assert.equal(c.c2s.direct_tls_port, 5223);
  assert.equal(c.s2s.port, 5269);
  assert.equal(c.http.port, 5280);
  assert.equal(c.http.https_port, 5281);
  assert.equal(c.limits.max_stanza_size, 256 * 1024);
  assert.ok(c.auth.scram_iterations >= 10000);
});

test('errors name the file, the line and the key', () => {
  const p = problems('domains = ["a.example"]\n\n[c2s]\nport = "five"\n');
  assert.equal(p.length, 1);
  assert.match(p[0], /^parley\.toml:4: c2s\.port: /);
});

test('unknown keys are reported with their line', () => {
  const p = problems('[c2s]\nport = 1\nprot = 2\n');
  assert.deepEqual(p.map((x) => x.split(': ').slice(0, 2).join(': ')), ['parley.toml:3: c2s.prot']);
});

test('bad enum values list what is allowed', () => {
  const p = problems('[log]\nlevel = "loud"\n');
  assert.match(p[0], /parley\.toml:2: log\.level: .*"debug"/);
});

test('TOML syntax errors give line and column', () => {
  const p = problems('domains = [\n');
  assert.match(p[0], /^parley\.toml:\d+:\d+: TOML syntax error/);
});

test('dotted keys and quoted tables are located', () => {
  const p = problems('c2s.port = -1\n');
  assert.match(p[0], /^parley\.toml:1: c2s\.port/);
});
