// `parley check`: per-domain certificate checks (coverage of each domain and its MUC/upload
// service names, expiry) and DNS SRV checks, whose findings are warnings. --no-dns skips the
// lookups; a resolver that does not answer is reported as "could not look up", quickly.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createSocket, type Socket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { describeRun, runParley } from '../helpers/parley-cli.ts';
import { testCert, testKey } from '../helpers/server.ts';

const DAY = 86_400_000;

type Answer = { srv: { port: number; target: string }[] } | { a: string };

/** A tiny DNS responder on a loopback UDP port: SRV and A answers from `zone`, NXDOMAIN for the rest. */
async function fakeDns(zone: Record<string, Answer>): Promise<Socket> {
  const sock = createSocket('udp4');
  const encodeName = (n: string) => Buffer.concat([...n.split('.').filter(Boolean).map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);
  sock.on('message', (q, rinfo) => {
    let off = 12;
    const labels: string[] = [];
    while (q[off] !== 0 && labels.length < 64) {
      labels.push(q.subarray(off + 1, off + 1 + q[off]).toString());
      off += q[off] + 1;
    }
    const qtype = q.readUInt16BE(off + 1);
    const question = q.subarray(12, off + 5);
    const entry = zone[labels.join('.').toLowerCase()];
    const answers: Buffer[] = [];
    if (entry && 'srv' in entry && qtype === 33) {
      for (const r of entry.srv) {
        const target = encodeName(r.target);
        const rdata = Buffer.concat([Buffer.from([0, 0, 0, 5, r.port >> 8, r.port & 255]), target]);
        answers.push(Buffer.concat([Buffer.from([0xc0, 12, 0, 33, 0, 1, 0, 0, 0, 60, rdata.length >> 8, rdata.length & 255]), rdata]));
      }
    } else if (entry && 'a' in entry && qtype === 1) {
      answers.push(Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, ...entry.a.split('.').map(Number)]));
    }
    const header = Buffer.alloc(12);
    q.copy(header, 0, 0, 2); // id
    header.writeUInt16BE(entry ? 0x8180 : 0x8183, 2); // response; NXDOMAIN for names not in the zone
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    sock.send(Buffer.concat([header, question, ...answers]), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  return sock;
}

async function cert(dir: string, name: string, names: string[], notBefore: Date, notAfter: Date): Promise<{ cert: string; key: string }> {
  const pems = await generate([{ name: 'commonName', value: names[0] }], {
    keyType: 'ec', curve: 'P-256', algorithm: 'sha256', notBeforeDate: notBefore, notAfterDate: notAfter,
    extensions: [{ name: 'subjectAltName', altNames: names.map((value) => ({ type: 2 as const, value })) }],
  });
  const paths = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  writeFileSync(paths.cert, pems.cert);
  writeFileSync(paths.key, pems.private);
  return paths;
}

describe('parley check: certificates and DNS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-check-dns-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const config = (name: string, c: { cert: string; key: string }, extra = '') => {
    const file = join(dir, `${name}.toml`);
    writeFileSync(file, `domains = ["parley.test"]\ndata_dir = "data-${name}"\n[tls]\ncertificate = "${c.cert}"\nkey = "${c.key}"\n${extra}`);
    return file;
  };

  test('--no-dns: a certificate covering the domain and its services gives no certificate warning', async () => {
    const args = ['check', '--no-dns', '--config', config('good', { cert: testCert, key: testKey })];
    const r = await runParley(args);
    assert.equal(r.code, 0, describeRun(args, r));
    assert.match(r.stdout, /dns: not checked \(--no-dns\)/);
    assert.doesNotMatch(r.stdout, /tls\.certificate/, describeRun(args, r));
    assert.match(r.stdout, /configuration OK/);
  });

  test('--no-dns: service names the certificate misses (MUC host, upload host) are warnings', async () => {
    const c = await cert(dir, 'narrow', ['parley.test'], new Date(Date.now() - DAY), new Date(Date.now() + 300 * DAY));
    const args = ['check', '--no-dns', '--config', config('narrow', c, '[modules.muc]\nhost = "chat.{domain}"\n')];
    const r = await runParley(args);
    assert.equal(r.code, 0, describeRun(args, r));
    assert.match(r.stdout, /does not cover chat\.parley\.test/);
    assert.match(r.stdout, /does not cover upload\.parley\.test/);
    assert.doesNotMatch(r.stdout, /does not cover parley\.test\b/);
    assert.doesNotMatch(r.stdout, /conference\.parley\.test/, 'the configured MUC host replaces the default');
  });

  test('--no-dns: expiry within 30 days is a warning, an expired certificate an error', async () => {
    const soon = await cert(dir, 'soon', ['parley.test', '*.parley.test'], new Date(Date.now() - DAY), new Date(Date.now() + 10 * DAY));
    let args = ['check', '--no-dns', '--config', config('soon', soon)];
    let r = await runParley(args);
    assert.equal(r.code, 0, describeRun(args, r));
    assert.match(r.stdout, /expires in (10|11) day\(s\)/);
    const old = await cert(dir, 'old', ['parley.test', '*.parley.test'], new Date(Date.now() - 100 * DAY), new Date(Date.now() - DAY));
    args = ['check', '--no-dns', '--config', config('old', old)];
    r = await runParley(args);
    assert.equal(r.code, 1, describeRun(args, r));
    assert.match(r.stderr, /tls\.certificate: .*old\.crt expired on/);
  });

  test('SRV records: a target on the wrong port, a target that does not resolve, a missing record', async () => {
    const dns = await fakeDns({
      '_xmpp-client._tcp.parley.test': { srv: [{ port: 5999, target: 'xmpp.parley.test' }] },
      '_xmpps-client._tcp.parley.test': { srv: [{ port: 5223, target: 'gone.parley.test' }] },
      '_xmpps-server._tcp.parley.test': { srv: [{ port: 5270, target: 'xmpp.parley.test' }] },
      'xmpp.parley.test': { a: '127.0.0.1' },
    });
    try {
      const args = ['check', '--config', config('srv', { cert: testCert, key: testKey })];
      const r = await runParley(args, { env: { ...process.env, PARLEY_DNS_SERVERS: `127.0.0.1:${dns.address().port}` } });
      assert.equal(r.code, 0, describeRun(args, r));
      const out = r.stdout;
      assert.match(out, /_xmpp-client\._tcp\.parley\.test: SRV target xmpp\.parley\.test uses port 5999, but Parley listens on 5222/, describeRun(args, r));
      assert.match(out, /_xmpps-client\._tcp\.parley\.test: SRV target gone\.parley\.test does not resolve/);
      assert.match(out, /no SRV record _xmpp-server\._tcp\.parley\.test/);
      assert.doesNotMatch(out, /_xmpps-server\._tcp/, 'a correct record gives no warning');
      assert.doesNotMatch(out, /could not look up|has no SRV records/);
    } finally {
      dns.close();
    }
  });

  test('a resolver that refuses: every SRV lookup is a "could not look up" warning, within seconds', async () => {
    // A loopback UDP port nobody listens on: the lookups fail at once with ECONNREFUSED.
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    const port = sock.address().port;
    sock.close();
    const args = ['check', '--config', config('dns', { cert: testCert, key: testKey })];
    const started = Date.now();
    const r = await runParley(args, { env: { ...process.env, PARLEY_DNS_SERVERS: `127.0.0.1:${port}` } });
    const elapsed = Date.now() - started;
    assert.equal(r.code, 0, describeRun(args, r));
    for (const srv of ['_xmpp-client._tcp', '_xmpps-client._tcp', '_xmpp-server._tcp', '_xmpps-server._tcp']) {
      assert.match(r.stdout, new RegExp(`dns: could not look up ${srv.replaceAll('.', '\\.')}\\.parley\\.test`), describeRun(args, r));
    }
    assert.ok(elapsed < 10_000, `took ${elapsed} ms`);
  });

  test('a resolver that never answers: lookups time out as warnings instead of hanging', async () => {
    // A loopback UDP socket that swallows every query.
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    try {
      const args = ['check', '--config', config('silent', { cert: testCert, key: testKey })];
      const started = Date.now();
      const r = await runParley(args, { env: { ...process.env, PARLEY_DNS_SERVERS: `127.0.0.1:${sock.address().port}` } });
      const elapsed = Date.now() - started;
      assert.equal(r.code, 0, describeRun(args, r));
      assert.match(r.stdout, /dns: could not look up _xmpp-client\._tcp\.parley\.test \(ETIMEOUT\)/, describeRun(args, r));
      assert.ok(elapsed < 15_000, `took ${elapsed} ms`);
    } finally {
      sock.close();
    }
  });
});
