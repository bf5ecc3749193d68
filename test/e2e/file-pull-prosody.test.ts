// Interop: a user on a real Prosody (pr.parley.test, mod_http_file_share on loopback HTTPS)
// uploads a file with slixmpp's XEP-0363 plugin and sends its URL to a Parley user over s2s.
// Parley (pa.parley.test, file pull on, Prosody's HTTPS port allowlisted) fetches, scans and
// re-hosts it: the Parley user sees only a pa.parley.test URL, which serves identical bytes,
// the access log has the entry, and Prosody served the file once, to Parley.
import { eventually } from '../helpers/eventually.ts';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startServer, testCert, testKey, type RunningServer } from '../helpers/server.ts';
import { startProsody, type RunningProsody } from '../helpers/prosody.ts';
import { skipUnless } from '../helpers/services.ts';
import { connectSide, closeAll } from '../helpers/federation.ts';
import { expectStanza, type Client } from '../helpers/xmppjs.ts';
import { slixUpload } from '../helpers/slix-upload.ts';
import { httpReq } from '../helpers/https-request.ts';
import { startClamd, type RunningClamd } from '../helpers/clamd.ts';

/** A loopback address of its own per run, so Parley can take port 5269 there for Prosody to find. */
function loopbackAddress(): string {
  const r = (n: number) => Math.floor(Math.random() * n);
  return `127.${20 + r(200)}.${r(250)}.${1 + r(250)}`;
}

describe('file pull from Prosody mod_http_file_share', { skip: skipUnless('prosody', 'slixmpp') }, () => {
  const parleyDomain = 'pa.parley.test';
  const prosodyDomain = 'pr.parley.test';
  let parley: RunningServer;
  let prosody: RunningProsody;
  let clamd: RunningClamd | undefined;
  let alice: Client | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'parley-pull-prosody-'));

  before(async () => {
    if (!skipUnless('clamd')) clamd = await startClamd();
    const ip = loopbackAddress();
    prosody = await startProsody({ domain: prosodyDomain, cert: testCert, key: testKey, hosts: { [parleyDomain]: ip }, fileShare: true });
    parley = await startServer({
      domains: [parleyDomain],
      env: { NODE_ENV: 'test' },
      config: {
        s2s: { port: 5269, interfaces: [ip], routes: { [prosodyDomain]: `127.0.0.1:${prosody.s2sPort}` } },
        modules: {
          upload: clamd ? { clamd: clamd.address } : {},
          'file-pull': { mode: 'pull', test_allowlist: [`127.0.0.1:${prosody.fileSharePort}`] },
        },
      },
    });
    await parley.adduser('alice', 'secret-a');
    prosody.register('bob', 'secret-b');
    alice = await connectSide({ domain: parleyDomain, port: parley.ports.c2s, user: 'alice', password: 'secret-a' });
  });

  after(async () => {
    await closeAll(alice);
    await parley?.stop();
    await prosody?.stop();
    await clamd?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the Parley user gets a Parley URL serving the same bytes; Prosody served it once', async () => {
    const bytes = randomBytes(150_000);
    const file = join(dir, 'report.pdf');
    writeFileSync(file, bytes);
    const up = await slixUpload({ port: prosody.c2sPort, jid: `bob@${prosodyDomain}`, password: 'secret-b', file, contentType: 'application/pdf', sendTo: `alice@${parleyDomain}`, messageId: 'from-prosody-1' });
    const uploaded = up.events.find((e) => e.event === 'uploaded');
    assert.ok(uploaded, `slixmpp upload to Prosody failed: ${JSON.stringify(up.events)}\n${up.stderr}\n${prosody.log().slice(-3000)}`);
    const remoteUrl = String(uploaded.url);
    assert.ok(remoteUrl.startsWith(`https://127.0.0.1:${prosody.fileSharePort}/`), remoteUrl);

    const m = await expectStanza(alice!, (el) => el.name === 'message' && el.attrs.id === 'from-prosody-1', 30_000);
    const body = m.getChildText('body')!;
    assert.ok(body.startsWith(`https://${parleyDomain}:${parley.ports.https}/pull/`), body);
    assert.equal(m.getChild('x', 'jabber:x:oob')?.getChildText('url'), body);
    assert.ok(!m.toString().includes(remoteUrl), 'the Prosody URL never reaches the Parley user');

    const got = await httpReq(body, { connectTo: '127.0.0.1' });
    assert.equal(got.status, 200);
    assert.ok(got.body.equals(bytes), 'identical bytes');

    const token = body.split('/pull/')[1].split('/')[0];
    const db = new Database(join(parley.dataDir, 'parley.sqlite'), { readonly: true, fileMustExist: true });
    try {
      // Logged when the response stream has finished, which the client may see end first.
      const rows = await eventually(() => db.prepare('SELECT owner, status, bytes FROM file_access_log WHERE ref = ?').all(token), (r) => r.length > 0);
      assert.deepEqual(rows, [{ owner: `alice@${parleyDomain}`, status: 200, bytes: bytes.length }]);
    } finally {
      db.close();
    }
    // Prosody's HTTP log: one download of the file, by Parley (slixmpp only PUT it).
    const slot = new URL(remoteUrl).pathname;
    const gets = prosody.log().split('\n').filter((l) => l.includes('Firing event: GET 127.0.0.1') && l.includes(slot));
    assert.equal(gets.length, 1, gets.join('\n'));
  });
});
