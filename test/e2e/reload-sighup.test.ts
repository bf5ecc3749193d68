// SIGHUP reloads certificates: new connections get the new certificate, existing ones stay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { startServer, testCert, testKey } from '../helpers/server.ts';
import { connectXmppjs, disconnect, sync } from '../helpers/xmppjs.ts';

function presentedFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ port, host: '127.0.0.1', servername: 'localhost', rejectUnauthorized: false }, () => {
      const fp = s.getPeerCertificate().fingerprint256;
      s.destroy();
      resolve(fp);
    });
    s.once('error', reject);
  });
}

test('SIGHUP with a new certificate: new connections see it, existing sessions stay', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-reload-'));
  const cert = join(dir, 'server.crt');
  const key = join(dir, 'server.key');
  copyFileSync(testCert, cert);
  copyFileSync(testKey, key);
  const s = await startServer({ config: { tls: { certificate: cert, key } } });
  try {
    await s.adduser('alice', 'pw');
    const before = await presentedFingerprint(s.ports.directTls);
    assert.equal(before, new X509Certificate(readFileSync(testCert, 'utf8')).fingerprint256);
    const alice = await connectXmppjs({ port: s.ports.c2s, domain: 'localhost', username: 'alice', password: 'pw' });
    try {
      copyFileSync(process.env.PARLEY_TEST_CA_CERT!, cert);
      copyFileSync(process.env.PARLEY_TEST_CA_KEY!, key);
      process.kill(s.pid, 'SIGHUP');
      await s.waitForLog(/"msg":"configuration reloaded"/, 15_000);
      const after = await presentedFingerprint(s.ports.directTls);
      assert.equal(after, new X509Certificate(readFileSync(process.env.PARLEY_TEST_CA_CERT!, 'utf8')).fingerprint256);
      await sync(alice, 'localhost'); // the old session still answers
    } finally {
      await disconnect(alice);
    }
  } finally {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
