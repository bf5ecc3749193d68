// SCRAM -PLUS with the tls-exporter channel binding (RFC 9266), the binding TLS 1.3 clients use,
// advertised per XEP-0440, over STARTTLS and Direct TLS; binding data that does not match the
// connection (a man in the middle) fails the login even with the right password.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { RawXmpp } from '../helpers/raw.ts';
import { authScram, type ScramLogin } from '../helpers/scram-raw.ts';

describe('SCRAM -PLUS with tls-exporter', () => {
  let server: RunningServer;
  const raws: RawXmpp[] = [];

  before(async () => {
    server = await startServer();
    await server.adduser('alice', 'alice-secret');
  });
  after(async () => {
    for (const r of raws) r.destroy();
    await server?.stop();
  });

  /** TLS (STARTTLS or Direct TLS) up to the SASL features; returns the stream and those features. */
  async function secureStream(directTls: boolean): Promise<{ raw: RawXmpp; features: string }> {
    const raw = await RawXmpp.connect({ port: directTls ? server.ports.directTls : server.ports.c2s, domain: server.domain, directTls });
    raws.push(raw);
    let features = await raw.openStream();
    if (!directTls) features = await raw.startTls();
    return { raw, features };
  }

  for (const [hash, directTls] of [['SHA-256', false], ['SHA-512', true], ['SHA-1', false]] as const) {
    test(`SCRAM-${hash}-PLUS over ${directTls ? 'Direct TLS' : 'STARTTLS'} (TLS 1.3): logs in, server signature verifies`, async () => {
      const { raw, features } = await secureStream(directTls);
      assert.equal(raw.tls?.getProtocol(), 'TLSv1.3');
      assert.match(features, new RegExp(`<mechanism>SCRAM-${hash}-PLUS</mechanism>`), features);
      // XEP-0440 §2: the types this connection can bind to; RFC 9266 §3: no tls-unique on TLS 1.3.
      assert.match(features, /<sasl-channel-binding xmlns=["']urn:xmpp:sasl-cb:0["'][\s\S]*<channel-binding type=["']tls-exporter["']/, features);
      assert.doesNotMatch(features, /type=["']tls-unique["']/, features);

      const login: ScramLogin = { hash, username: 'alice', password: 'alice-secret', channelBinding: 'tls-exporter' };
      const outcome = await authScram(raw, login);
      assert.deepEqual(outcome, { ok: true, mechanism: `SCRAM-${hash}-PLUS` });
      await raw.openStream(); // RFC 6120 §6.4.6: the stream restarts after success
      assert.match(await raw.bind(), new RegExp(`^alice@${server.domain}/`));
    });
  }

  test('binding data that does not match this connection fails with <not-authorized/>', async () => {
    const { raw } = await secureStream(false);
    const outcome = await authScram(raw, { hash: 'SHA-256', username: 'alice', password: 'alice-secret', channelBinding: 'tls-exporter', tamperBinding: true });
    assert.equal(outcome.ok, false, 'logged in with binding data from another connection');
    if (!outcome.ok) assert.equal(outcome.condition, 'not-authorized', outcome.text);
  });

  test('tls-server-end-point works as well (RFC 5929 §4)', async () => {
    const { raw } = await secureStream(true);
    const outcome = await authScram(raw, { hash: 'SHA-256', username: 'alice', password: 'alice-secret', channelBinding: 'tls-server-end-point' });
    assert.deepEqual(outcome, { ok: true, mechanism: 'SCRAM-SHA-256-PLUS' });
  });
});
