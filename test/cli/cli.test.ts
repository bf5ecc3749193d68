// The `parley` command line as an operator uses it: accounts (adduser, passwd, deluser, with the
// password as an option or on stdin), `check` on good and bad configuration, `cert`, and a first
// start from an empty directory with a generated certificate that a client can be told to trust.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeRun, runParley } from '../helpers/parley-cli.ts';
import { launchParley } from '../helpers/parley-process.ts';
import { freePorts } from '../helpers/ports.ts';
import { startServer, testCert, type RunningServer } from '../helpers/server.ts';
import { loginInChild } from '../helpers/xmppjs-login-child.ts';
import { connectXmppjs, disconnect, expectDisconnect, loginFailure } from '../helpers/xmppjs.ts';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'parley-cli-'));
}

describe('parley adduser / passwd / deluser', () => {
  let server: RunningServer;
  const canLogin = async (username: string, password: string) => {
    const c = await connectXmppjs({ port: server.ports.c2s, domain: server.domain, username, password, mechanism: 'PLAIN' });
    await disconnect(c);
  };
  const cannotLogin = async (username: string, password: string) => {
    const err = await loginFailure({ port: server.ports.c2s, domain: server.domain, username, password, mechanism: 'PLAIN' });
    assert.equal(err.condition, 'not-authorized', `${username}: ${err.message}`);
  };
  const cli = async (args: string[], input?: string) => ({ args, r: await server.cli(args, input) });

  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server?.stop();
  });

  test('adduser creates an account that can log in (while the server runs)', async () => {
    const { args, r } = await cli(['adduser', `dave@${server.domain}`, '--password', 'dave-1']);
    assert.equal(r.code, 0, describeRun(args, r));
    await canLogin('dave', 'dave-1');
    await cannotLogin('dave', 'dave-2');
  });

  test('adduser of an existing account fails and leaves its password alone', async () => {
    await server.adduser('gina', 'gina-1');
    const { args, r } = await cli(['adduser', `gina@${server.domain}`, '--password', 'gina-2']);
    assert.equal(r.code, 1, describeRun(args, r));
    assert.match(r.stderr, /exists/i, describeRun(args, r));
    await canLogin('gina', 'gina-1');
    await cannotLogin('gina', 'gina-2');
  });

  test('adduser reads the password from stdin when --password is absent', async () => {
    const { args, r } = await cli(['adduser', `erin@${server.domain}`], 'erin-from-stdin\n');
    assert.equal(r.code, 0, describeRun(args, r));
    await canLogin('erin', 'erin-from-stdin');
  });

  test('adduser for a domain this server does not serve fails', async () => {
    const { args, r } = await cli(['adduser', 'ivan@elsewhere.example', '--password', 'x']);
    assert.notEqual(r.code, 0, describeRun(args, r));
  });

  test('passwd changes the password: the old one fails, the new one works', async () => {
    await server.adduser('hank', 'hank-old');
    const { args, r } = await cli(['passwd', `hank@${server.domain}`, '--password', 'hank-new']);
    assert.equal(r.code, 0, describeRun(args, r));
    await cannotLogin('hank', 'hank-old');
    await canLogin('hank', 'hank-new');

    const viaStdin = await cli(['passwd', `hank@${server.domain}`], 'hank-newer\n');
    assert.equal(viaStdin.r.code, 0, describeRun(viaStdin.args, viaStdin.r));
    await cannotLogin('hank', 'hank-new');
    await canLogin('hank', 'hank-newer');
  });

  test('deluser removes the account; deleting it again fails', async () => {
    await server.adduser('judy', 'judy-1');
    await canLogin('judy', 'judy-1');
    const { args, r } = await cli(['deluser', `judy@${server.domain}`]);
    assert.equal(r.code, 0, describeRun(args, r));
    await cannotLogin('judy', 'judy-1');
    const again = await cli(['deluser', `judy@${server.domain}`]);
    assert.equal(again.r.code, 1, describeRun(again.args, again.r));
  });
});

describe('parley check', () => {
  const dir = tempDir();
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a bad config: exit 1, each problem as file:line: key', async () => {
    const file = join(dir, 'bad.toml');
    writeFileSync(
      file,
      [
        'domains = ["localhost"]', // 1
        '', // 2
        '[c2s]', // 3
        'port = "five-two-two-two"', // 4: wrong type
        '', // 5
        '[limits]', // 6
        'max_stanzasize = 5', // 7: no such key
        '',
      ].join('\n'),
    );
    const args = ['check', '--no-dns', '--config', file];
    const r = await runParley(args);
    assert.equal(r.code, 1, describeRun(args, r));
    const out = r.stdout + r.stderr;
    assert.match(out, new RegExp(`${file}:4\\b.*c2s\\.port`), describeRun(args, r));
    assert.match(out, new RegExp(`${file}:7\\b.*limits\\.max_stanzasize`), describeRun(args, r));
  });

  test('a TOML syntax error: exit 1 with file:line', async () => {
    const file = join(dir, 'syntax.toml');
    writeFileSync(file, 'domains = ["localhost"]\n[c2s\nport = 5222\n');
    const args = ['check', '--no-dns', '--config', file];
    const r = await runParley(args);
    assert.equal(r.code, 1, describeRun(args, r));
    assert.match(r.stdout + r.stderr, new RegExp(`${file}:2\\b`), describeRun(args, r));
  });

  test('a good config: exit 0', async () => {
    const file = join(dir, 'good.toml');
    writeFileSync(file, `domains = ["localhost"]\ndata_dir = "data"\n[c2s]\nport = 5222\ninterfaces = ["127.0.0.1"]\n[tls]\ncertificate = "${testCert}"\nkey = "${testCert.replace(/\.crt$/, '.key')}"\n`);
    const args = ['check', '--no-dns', '--config', file];
    const r = await runParley(args);
    assert.equal(r.code, 0, describeRun(args, r));
  });
});

describe('parley cert', () => {
  const dir = tempDir();
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('generates a self-signed certificate naming the domain; keeps it, or replaces it with --force', async () => {
    const file = join(dir, 'parley.toml');
    writeFileSync(file, 'domains = ["chat.example", "parley.test"]\ndata_dir = "data"\n');
    const sha256 = (out: string) => /sha256:\s*(\S+)/.exec(out)?.[1];

    const args = ['cert', '--config', file];
    const first = await runParley(args);
    assert.equal(first.code, 0, describeRun(args, first));
    const certFile = join(dir, 'data/certs/parley.crt');
    assert.ok(existsSync(certFile), `no ${certFile}\n${describeRun(args, first)}`);
    assert.ok(existsSync(join(dir, 'data/certs/parley.key')));
    assert.ok(first.stdout.includes(certFile), `the certificate path is not printed:\n${first.stdout}`);
    const x = new X509Certificate(readFileSync(certFile));
    for (const name of ['chat.example', 'parley.test']) assert.match(x.subjectAltName ?? '', new RegExp(`DNS:${name.replace('.', '\\.')}(,|$)`), `SAN: ${x.subjectAltName}`);
    assert.equal(sha256(first.stdout), x.fingerprint256, `printed fingerprint differs from the file's:\n${first.stdout}`);

    const again = await runParley(args);
    assert.equal(again.code, 0, describeRun(args, again));
    assert.equal(sha256(again.stdout), x.fingerprint256, 'cert without --force replaced the certificate');

    const forced = await runParley([...args, '--force']);
    assert.equal(forced.code, 0, describeRun([...args, '--force'], forced));
    const y = new X509Certificate(readFileSync(certFile));
    assert.notEqual(y.fingerprint256, x.fingerprint256, 'cert --force kept the old certificate');
    assert.equal(sha256(forced.stdout), y.fingerprint256);
  });
});

describe('parley start in an empty directory', () => {
  const dir = tempDir();
  let proc: ReturnType<typeof launchParley> | undefined;
  after(async () => {
    await proc?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('generates ./data/certs/parley.crt, and a client trusting it logs in after adduser', async () => {
    const [c2s, directTls] = await freePorts(2);
    // Only what this machine needs: free loopback ports. No data_dir, no [tls]: the defaults apply.
    writeFileSync(
      join(dir, 'parley.toml'),
      [
        '[c2s]', `port = ${c2s}`, `direct_tls_port = ${directTls}`, 'interfaces = ["127.0.0.1"]',
        '[s2s]', 'port = 0', 'direct_tls_port = 0', 'interfaces = ["127.0.0.1"]',
        '[http]', 'port = 0', 'https_port = 0', 'interfaces = ["127.0.0.1"]',
        '',
      ].join('\n'),
    );
    proc = launchParley(['start'], { cwd: dir });
    await proc.waitForLog(/"msg":"parley ready"/, 60_000);
    const ca = join(dir, 'data/certs/parley.crt');
    assert.ok(existsSync(ca), `no generated certificate at ${ca}\n${proc.logs()}`);

    const add = await runParley(['adduser', 'frank@localhost', '--password', 'frank-secret'], { cwd: dir });
    assert.equal(add.code, 0, describeRun(['adduser', 'frank@localhost'], add));

    const login = { domain: 'localhost', username: 'frank', password: 'frank-secret', mechanism: 'PLAIN' as const };
    const starttls = await loginInChild({ ...login, port: c2s }, ca);
    assert.equal(starttls.result?.event, 'online', starttls.output);
    assert.match(starttls.result?.jid ?? '', /^frank@localhost\//);
    const direct = await loginInChild({ ...login, port: directTls, directTls: true }, ca);
    assert.equal(direct.result?.event, 'online', direct.output);

    // Control: trusting some other certificate instead, the same login fails at TLS.
    const untrusted = await loginInChild({ ...login, port: directTls, directTls: true }, testCert);
    assert.equal(untrusted.result?.event, 'error', untrusted.output);
    assert.notEqual(untrusted.result?.condition, 'not-authorized', untrusted.output);

    const stopped = await proc.stop();
    assert.equal(stopped.code, 0, `exit ${stopped.code ?? stopped.signal} after SIGTERM\n${proc.logs()}`);
  });
});

describe('parley start and SIGTERM', () => {
  test('open streams get <system-shutdown/> and the process exits 0', async () => {
    const server = await startServer();
    try {
      await server.adduser('kate', 'kate-secret');
      const kate = await connectXmppjs({ port: server.ports.c2s, domain: server.domain, username: 'kate', password: 'kate-secret', mechanism: 'PLAIN' });
      const closed = expectDisconnect(kate, 10_000);
      const stopped = await server.stop();
      // RFC 6120 §4.9.3.17
      assert.equal(await closed, 'system-shutdown');
      assert.equal(stopped.code, 0, `exit ${stopped.code ?? stopped.signal}, killed: ${stopped.killed}\n${server.logs().slice(-3000)}`);
      assert.equal(stopped.killed, false);
    } finally {
      await server.stop();
    }
  });
});
