// Secrets are redacted from log lines whatever object carries them (observability/log.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/observability/log.ts';

test('passwords, tokens, secrets, Authorization and Cookie headers never reach the log', async () => {
  let out = '';
  const sink = new Writable({ write(c, _e, cb) { out += String(c); cb(); } });
  const log = createLogger('info', 'json', sink);
  log.info({ password: 'pw-1', token: 'tok-2', secret: 'sec-3', user: { password: 'pw-4', credentials: { k: 'cred-5' } } }, 'a');
  log.info({ req: { headers: { authorization: 'Bearer tok-6', cookie: 'parley_admin=tok-7', host: 'example.org' } } }, 'b');
  log.child({ conn: 'c1' }).warn({ config: { dialback_secret: 'sec-8' }, headers: { authorization: 'Basic tok-9' } }, 'c');
  await new Promise((r) => setImmediate(r));
  for (const secret of ['pw-1', 'tok-2', 'sec-3', 'pw-4', 'cred-5', 'tok-6', 'tok-7', 'sec-8', 'tok-9']) assert.ok(!out.includes(secret), `${secret} leaked: ${out}`);
  assert.match(out, /example\.org/, 'other fields stay');
  assert.equal((out.match(/\[redacted\]/g) ?? []).length, 9);
});
