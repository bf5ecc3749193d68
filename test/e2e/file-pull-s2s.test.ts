// File pull end to end: alice on a remote Parley (a.parley.test) sends bob on the Parley under
// test (b.parley.test) links to files on a loopback HTTPS origin (allowlisted as the only
// exception to the SSRF guard). Bob must only ever see URLs on b.parley.test, and fetching them
// gives the origin's bytes; malware, hash mismatches, SSRF targets, oversize bodies and a down
// scanner become notices, never the original URL.
import { eventually } from '../helpers/eventually.ts';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { startServer, testCert, testKey, type RunningServer } from '../helpers/server.ts';
import { freePorts } from '../helpers/ports.ts';
import { connectSide, closeAll } from '../helpers/federation.ts';
import { expectStanza, nextId, send, type Client } from '../helpers/xmppjs.ts';
import { httpReq } from '../helpers/https-request.ts';
import { bytes, startOrigin, type Origin } from '../helpers/file-origin.ts';
import { skipUnless } from '../helpers/services.ts';
import { eicar, startClamd, type RunningClamd } from '../helpers/clamd.ts';
import { readMetric } from '../helpers/metrics.ts';
import type { Element } from 'ltx';

const A = 'a.parley.test';
const B = 'b.parley.test';
const MAX = 1024 * 1024;
const NS_PULL = 'urn:parley:file-pull:0';

describe('file pull over s2s', () => {
  let a: RunningServer;
  let b: RunningServer;
  let alice: Client;
  let bob: Client;
  let carol: Client;
  let origin: Origin;
  let forbidden: Origin; // 127.0.0.1 on a port that is not allowlisted
  let other: Origin; // 127.0.0.2 on the allowlisted port number
  let clamd: RunningClamd | undefined;
  const clean = randomBytes(200 * 1024);

  before(async () => {
    if (!skipUnless('clamd')) clamd = await startClamd();
    forbidden = await startOrigin({ '/x': (send) => send(200, {}, Buffer.from('secret')) });
    origin = await startOrigin({
      '/clean.bin': (send) => send(200, { 'content-type': 'application/octet-stream', 'content-length': clean.length }, clean),
      '/photo.jpg': (send) => send(200, { 'content-type': 'image/jpeg' }, clean),
      '/eicar.com': (send) => send(200, { 'content-type': 'application/octet-stream' }, eicar()),
      '/to-forbidden': (send) => send(302, { location: forbidden.url('/x') }),
      '/to-clean': (send) => send(302, { location: '/clean.bin' }),
      '/r1': (send) => send(302, { location: '/r2' }),
      '/r2': (send) => send(302, { location: '/r3' }),
      '/r3': (send) => send(302, { location: '/r4' }),
      '/r4': (send) => send(302, { location: '/clean.bin' }),
      '/endless': (send) => send(200, { 'content-type': 'application/octet-stream' }, bytes(MAX + 64 * 1024)),
    });
    other = await startOrigin({ '/clean.bin': (send) => send(200, {}, clean) }, '127.0.0.2', origin.port);
    const [pa, pb] = await freePorts(2);
    const tls = { certificate: testCert, key: testKey };
    a = await startServer({ domains: [A], config: { tls, s2s: { port: pa, routes: { [B]: `127.0.0.1:${pb}` } } } });
    b = await startServer({
      domains: [B],
      env: { NODE_ENV: 'test' },
      config: {
        tls,
        s2s: { port: pb, routes: { [A]: `127.0.0.1:${pa}` } },
        modules: {
          upload: clamd ? { clamd: clamd.address } : {},
          'file-pull': { mode: 'pull', max_bytes: MAX, hold_max_seconds: 5, test_allowlist: [`127.0.0.1:${origin.port}`], users: { [`carol@${B}`]: { mode: 'passthrough' } } },
        },
      },
    });
    await a.adduser('alice', 'pw-a');
    await b.adduser('bob', 'pw-b');
    await b.adduser('carol', 'pw-c');
    alice = await connectSide({ domain: A, port: a.ports.c2s, user: 'alice', password: 'pw-a' });
    bob = await connectSide({ domain: B, port: b.ports.c2s, user: 'bob', password: 'pw-b' });
    carol = await connectSide({ domain: B, port: b.ports.c2s, user: 'carol', password: 'pw-c' });
  });

  after(async () => {
    await closeAll(alice, bob, carol);
    await a?.stop();
    await b?.stop();
    for (const o of [origin, forbidden, other]) await o?.close();
    await clamd?.dispose();
  });

  /** alice → bob; resolves with what bob receives. */
  async function share(inner: string, to = `bob@${B}`, who = () => bob): Promise<Element> {
    const id = nextId('pull');
    await send(alice, `<message to="${to}" type="chat" id="${id}">${inner}</message>`);
    return expectStanza(who(), (el) => el.name === 'message' && el.attrs.id === id, 20_000);
  }
  const oob = (url: string) => `<body>${url}</body><x xmlns="jabber:x:oob"><url>${url}</url></x>`;
  const localGet = (url: string) => httpReq(url, { connectTo: '127.0.0.1' });
  const localPrefix = () => `https://${B}:${b.ports.https}/pull/`;
  const db = () => new Database(join(b.dataDir, 'parley.sqlite'), { readonly: true, fileMustExist: true });

  test('a clean file: every URL points at b.parley.test, the bytes are identical, the access is logged', async () => {
    const before = origin.requests.length;
    const url = origin.url('/clean.bin');
    const m = await share(oob(url));
    const body = m.getChildText('body')!;
    assert.ok(body.startsWith(localPrefix()), body);
    assert.equal(m.getChild('x', 'jabber:x:oob')?.getChildText('url'), body);
    assert.ok(!m.toString().includes(`${origin.port}/clean.bin`), 'the remote URL is gone');
    assert.equal(m.getChild('pulled', NS_PULL)?.attrs.status, clamd ? 'clean' : 'unscanned');
    assert.equal(origin.requests.length - before, 1, 'fetched once, by Parley');
    assert.equal(origin.requests.at(-1)!.ua, 'Parley-file-pull');
    const got = await localGet(body);
    assert.equal(got.status, 200);
    assert.ok(got.body.equals(clean), 'identical bytes');
    const token = body.slice(localPrefix().length).split('/')[0];
    const conn = db();
    try {
      // Logged when the response stream has finished, which the client may see end first.
      const rows = await eventually(() => conn.prepare('SELECT owner, status, bytes FROM file_access_log WHERE ref = ?').all(token) as Array<{ owner: string; status: number; bytes: number }>, (r) => r.length > 0);
      assert.deepEqual(rows, [{ owner: `bob@${B}`, status: 200, bytes: clean.length }]);
      const pulls = conn.prepare('SELECT sender, recipient, verdict FROM pull_log ORDER BY id DESC LIMIT 1').get() as Record<string, string>;
      assert.deepEqual(pulls, { sender: `alice@${A}`, recipient: `bob@${B}`, verdict: clamd ? 'clean' : 'unscanned' });
    } finally {
      conn.close();
    }
  });

  test('SIMS with the right sha-256 is verified; SFS with a wrong hash is withheld', async () => {
    const sha = createHash('sha256').update(clean).digest('base64');
    const url = origin.url('/photo.jpg');
    const sims = (hash: string) => `<body>photo</body><reference xmlns="urn:xmpp:reference:0" begin="0" end="5" type="data"><media-sharing xmlns="urn:xmpp:sims:1">
      <file xmlns="urn:xmpp:jingle:apps:file-transfer:5"><media-type>application/octet-stream</media-type><name>photo.bin</name><hash xmlns="urn:xmpp:hashes:2" algo="sha-256">${hash}</hash></file>
      <sources><reference xmlns="urn:xmpp:reference:0" type="data" uri="${url}"/></sources></media-sharing></reference>`;
    const ok = await share(sims(sha));
    const src = ok.getChild('reference', 'urn:xmpp:reference:0')!.getChild('media-sharing')!.getChild('sources')!.getChild('reference')!;
    assert.ok(src.attrs.uri.startsWith(localPrefix()));
    assert.ok((await localGet(src.attrs.uri)).body.equals(clean));

    const wrong = createHash('sha256').update('something else').digest('base64');
    const sfs = `<file-sharing xmlns="urn:xmpp:sfs:0"><file xmlns="urn:xmpp:file:metadata:0"><name>x.bin</name><hash xmlns="urn:xmpp:hashes:2" algo="sha-256">${wrong}</hash></file>
      <sources><url-data xmlns="http://jabber.org/protocol/url-data" target="${origin.url('/clean.bin')}?v=2"/></sources></file-sharing><body>${origin.url('/clean.bin')}?v=2</body>`;
    const bad = await share(sfs);
    assert.equal(bad.getChild('file-sharing', 'urn:xmpp:sfs:0'), undefined);
    assert.match(bad.getChildText('body')!, /withheld by b\.parley\.test: file changed in transit/);
    assert.ok(!bad.toString().includes(String(origin.port)));
  });

  test('the EICAR file is quarantined: a notice, never the original URL', { skip: skipUnless('clamd') }, async () => {
    const m = await share(oob(origin.url('/eicar.com')));
    assert.match(m.getChildText('body')!, /^\[attachment "eicar\.com" withheld by b\.parley\.test: malware detected \(Parley\.Test\.EICAR\.UNOFFICIAL\)\]$/);
    assert.equal(m.getChild('x', 'jabber:x:oob'), undefined);
    assert.ok(!m.toString().includes(String(origin.port)));
    assert.equal(m.getChild('pulled', NS_PULL)?.attrs.status, 'infected');
    const conn = db();
    try {
      const q = conn.prepare("SELECT kind, username, signature FROM file_quarantine WHERE name = 'eicar.com'").get();
      assert.deepEqual(q, { kind: 'pull', username: 'bob', signature: 'Parley.Test.EICAR.UNOFFICIAL' });
      assert.equal(conn.prepare("SELECT COUNT(*) FROM pull_grant WHERE name = 'eicar.com'").pluck().get(), 0, 'no grant');
    } finally {
      conn.close();
    }
  });

  test('SSRF: loopback targets not allowlisted, and redirects to them, are refused without a connection', async () => {
    const seenForbidden = forbidden.connections;
    const seenOther = other.connections;
    for (const url of [forbidden.url('/x'), other.url('/clean.bin'), `https://[::1]:${origin.port}/clean.bin`, origin.url('/to-forbidden'), `https://localhost:${forbidden.port}/x`]) {
      const m = await share(oob(url));
      assert.match(m.getChildText('body')!, /withheld by b\.parley\.test/, url);
      assert.ok(!m.toString().includes(url), url);
    }
    assert.equal(forbidden.connections, seenForbidden, 'nothing connected to 127.0.0.1 on the other port');
    assert.equal(other.connections, seenOther, 'nothing connected to 127.0.0.2');
  });

  test('limits: one redirect is followed, four are not; an endless body is cut at the cap', async () => {
    const one = await share(oob(origin.url('/to-clean')));
    assert.ok(one.getChildText('body')!.startsWith(localPrefix()));
    const four = await share(oob(origin.url('/r1')));
    assert.match(four.getChildText('body')!, /withheld/);
    const endless = await share(oob(origin.url('/endless')));
    assert.match(endless.getChildText('body')!, /withheld/);
  });

  test('ordering: a file then two texts arrive in the order sent', async () => {
    const id = nextId('ord');
    await send(alice, `<message to="bob@${B}" type="chat" id="${id}-1">${oob(origin.url('/clean.bin') + '?ord')}</message>`);
    await send(alice, `<message to="bob@${B}" type="chat" id="${id}-2"><body>second</body></message>`);
    await send(alice, `<message to="bob@${B}" type="chat" id="${id}-3"><body>third</body></message>`);
    const got: string[] = [];
    for (let i = 0; i < 3; i++) {
      const m = await expectStanza(bob, (el) => el.name === 'message' && (el.attrs.id ?? '').startsWith(id) && !got.includes(el.attrs.id), 20_000);
      got.push(m.attrs.id);
    }
    // expectStanza takes the first unclaimed match in arrival order.
    assert.deepEqual(got, [`${id}-1`, `${id}-2`, `${id}-3`]);
  });

  test('passthrough policy (carol): delivered as sent', async () => {
    const url = origin.url('/clean.bin');
    const m = await share(oob(url), `carol@${B}`, () => carol);
    assert.equal(m.getChildText('body'), url);
    assert.equal(m.getChild('pulled', NS_PULL), undefined);
  });

  test('clamd stopped: the fail-closed notice', { skip: skipUnless('clamd') }, async () => {
    await clamd!.stop();
    try {
      const m = await share(oob(origin.url('/clean.bin') + '?down'));
      assert.match(m.getChildText('body')!, /withheld by b\.parley\.test: it could not be checked for malware/);
      assert.equal(m.getChild('pulled', NS_PULL)?.attrs.status, 'unchecked');
    } finally {
      await clamd!.start();
    }
  });

  test('disco advertises file pull on the host', async () => {
    const id = nextId('disco');
    await send(bob, `<iq type="get" id="${id}" to="${B}"><query xmlns="http://jabber.org/protocol/disco#info"/></iq>`);
    const r = await expectStanza(bob, `<iq type="result" id="${id}"/>`);
    assert.ok(r.getChild('query')!.getChildren('feature').some((f) => f.attrs.var === NS_PULL));
  });

  test('metrics count fetches, refusals and the hold time', async () => {
    assert.ok((await readMetric(b.ports.http, 'parley_pull_fetches_total', { result: 'ok' })) >= 3);
    assert.ok((await readMetric(b.ports.http, 'parley_pull_fetches_total', { result: 'refused' })) >= 5);
    assert.ok((await readMetric(b.ports.http, 'parley_pull_hold_seconds_count')) >= 10);
    assert.ok((await readMetric(b.ports.http, 'parley_file_downloads_total', { kind: 'pull', status: '200' })) >= 2);
  });
});
