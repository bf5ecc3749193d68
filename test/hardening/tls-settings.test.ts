// TLS settings (docs/security.md): TLS 1.0/1.1 are refused by the server, TLS 1.2 gets only
// forward-secret AEAD suites, TLS 1.3 works. Clients here deliberately offer old protocols.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type ConnectionOptions } from 'node:tls';
import { startServer, type RunningServer } from '../helpers/server.ts';

function handshake(port: number, opts: ConnectionOptions): Promise<{ protocol: string | null; cipher: string } | { error: string }> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false, ...opts });
    s.once('secureConnect', () => {
      resolve({ protocol: s.getProtocol(), cipher: s.getCipher().name });
      s.destroy();
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
  });
}

describe('TLS settings', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server?.stop();
  });

  for (const version of ['TLSv1', 'TLSv1.1'] as const) {
    test(`${version} is refused by the server (protocol_version alert)`, async () => {
      // SECLEVEL=0 lets this client offer the old protocol at all; the refusal must come from the server.
      const r = await handshake(server.ports.directTls, { minVersion: version, maxVersion: version, ciphers: 'DEFAULT@SECLEVEL=0' });
      assert.ok('error' in r, `handshake succeeded: ${JSON.stringify(r)}`);
      assert.match(r.error, /ALERT_PROTOCOL_VERSION/, "the server answers with a protocol_version alert");
    });
  }

  test('TLS 1.2 negotiates a forward-secret AEAD suite; a CBC-only client is refused', async () => {
    const ok = await handshake(server.ports.directTls, { maxVersion: 'TLSv1.2' });
    assert.ok(!('error' in ok), JSON.stringify(ok));
    assert.equal(ok.protocol, 'TLSv1.2');
    assert.match(ok.cipher, /^(ECDHE|DHE)-.*(GCM|CHACHA20)/);
    const cbc = await handshake(server.ports.directTls, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES128-SHA:AES128-SHA' });
    assert.ok('error' in cbc, `CBC suite accepted: ${JSON.stringify(cbc)}`);
  });

  test('TLS 1.3 works', async () => {
    const r = await handshake(server.ports.directTls, { minVersion: 'TLSv1.3' });
    assert.ok(!('error' in r), JSON.stringify(r));
    assert.equal(r.protocol, 'TLSv1.3');
  });
});
