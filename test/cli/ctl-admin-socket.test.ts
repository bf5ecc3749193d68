// parley status | ctl | stop against a running server over its admin socket: the socket is
// owner-only, lists and kicks live sessions, reloads, reports stats, and stops the server.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { RawXmpp } from '../helpers/raw.ts';

describe('admin socket and parley ctl', () => {
  let s: RunningServer;
  before(async () => {
    s = await startServer();
    await s.adduser('alice', 'alice-pw');
  });
  after(async () => s?.stop());

  test('the socket is in the data dir with mode 0600 and status answers', async () => {
    const st = statSync(join(s.dataDir, 'parley.sock'));
    assert.ok(st.isSocket());
    assert.equal(st.mode & 0o777, 0o600);
    const r = await s.cli(['status', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const status = JSON.parse(r.stdout) as { pid: number; sessions: number; domains: string[] };
    assert.equal(status.pid, s.pid);
    assert.deepEqual(status.domains, ['localhost']);
  });

  test('ctl sessions lists a live session, kick closes it, stats counts stanzas', async () => {
    const alice = await RawXmpp.login({ port: s.ports.c2s, domain: 'localhost', username: 'alice', password: 'alice-pw', bind: true, resource: 'laptop' });
    try {
      alice.write(`<presence/>`);
      alice.write(`<message to='alice@localhost/laptop' type='chat' id='m1'><body>hi</body></message>`);
      await alice.waitFor(/<body>hi<\/body>/);
      const list = await s.cli(['ctl', 'sessions']);
      assert.equal(list.code, 0, list.stderr);
      assert.match(list.stdout, /^alice@localhost\/laptop\t127\.0\.0\.1\ttrue\ttrue$/m);
      const stats = JSON.parse((await s.cli(['ctl', 'stats', '--json'])).stdout) as { sessions: number; stanzas_in: Record<string, number> };
      assert.equal(stats.sessions, 1);
      assert.ok(stats.stanzas_in.message >= 1);
      const kick = await s.cli(['ctl', 'kick', 'alice@localhost/laptop', 'maintenance']);
      assert.equal(kick.code, 0, kick.stderr);
      assert.match(kick.stdout, /kicked: 1/);
      await alice.waitFor(/<policy-violation[^>]*\/>\s*<text[^>]*>maintenance<\/text>/);
      await alice.waitClosed();
    } finally {
      alice.destroy();
    }
    assert.match((await s.cli(['ctl', 'sessions'])).stdout, /\(none\)/);
  });

  test('reload answers with the certificate; unknown commands and bad arguments fail', async () => {
    const r = await s.cli(['ctl', 'reload']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /reloaded: certificate .*localhost\.crt \(sha256 [0-9A-F:]+\)/);
    await s.waitForLog(/"msg":"configuration reloaded"/);
    const bad = await s.cli(['ctl', 'frobnicate']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /unknown command: frobnicate/);
    const usage = await s.cli(['ctl', 'kick']);
    assert.equal(usage.code, 1);
    assert.match(usage.stderr, /usage: kick/);
  });

  test('a second server on the same data_dir is refused and the first keeps its socket', async () => {
    const r = await s.cli(['start']);
    assert.equal(r.code, 1);
    assert.match(r.stdout + r.stderr, /another Parley process answers on .*parley\.sock/);
    assert.equal((await s.cli(['status'])).code, 0);
  });

  test('stop ends the process; then status says it is not running (exit 3)', async () => {
    const r = await s.cli(['stop']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`stopped \\(pid ${s.pid}\\)`));
    assert.throws(() => process.kill(s.pid, 0), /ESRCH/);
    const st = await s.cli(['status']);
    assert.equal(st.code, 3);
    assert.match(st.stderr, /not running/);
    assert.equal((await s.cli(['stop'])).code, 0, 'stopping a stopped server is not an error');
  });
});
