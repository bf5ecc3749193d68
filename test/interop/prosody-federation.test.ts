// Federation with a real Prosody (Debian package): messages both ways, presence subscription,
// vCard queries; once with self-signed certificates (Server Dialback, XEP-0220) and once with
// certificates from a CA both trust (SASL EXTERNAL, XEP-0178).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, testCert, testKey, type RunningServer } from '../helpers/server.ts';
import { startProsody, type RunningProsody } from '../helpers/prosody.ts';
import { skipUnless } from '../helpers/services.ts';
import { connectSide, exchangeMessages, mutualSubscription, fetchVcard, closeAll } from '../helpers/federation.ts';
import type { Client } from '../helpers/xmppjs.ts';

/** A loopback address of its own per run, so Parley can take port 5269 there for Prosody to find. */
function loopbackAddress(): string {
  const r = (n: number) => Math.floor(Math.random() * n);
  return `127.${20 + r(200)}.${r(250)}.${1 + r(250)}`;
}

for (const mode of ['dialback', 'external'] as const) {
  describe(`federation with Prosody (${mode})`, { skip: skipUnless('prosody') }, () => {
    const parleyDomain = 'pa.parley.test';
    const prosodyDomain = 'pr.parley.test';
    let parley: RunningServer;
    let prosody: RunningProsody;
    let a: Client | undefined;
    let b: Client | undefined;
    const aJid = `alice@${parleyDomain}`;
    const bJid = `bob@${prosodyDomain}`;

    before(async () => {
      const ca = mode === 'external' ? process.env.PARLEY_TEST_CA : undefined;
      const cert = mode === 'external' ? process.env.PARLEY_TEST_CA_CERT! : testCert;
      const key = mode === 'external' ? process.env.PARLEY_TEST_CA_KEY! : testKey;
      if (mode === 'external') assert.ok(ca, 'scripts/run-tests.mjs provides PARLEY_TEST_CA');
      const ip = loopbackAddress();
      prosody = await startProsody({ domain: prosodyDomain, cert, key, hosts: { [parleyDomain]: ip }, cafile: ca, secureAuth: mode === 'external' });
      parley = await startServer({
        domains: [parleyDomain],
        config: {
          tls: { certificate: cert, key },
          s2s: { port: 5269, interfaces: [ip], routes: { [prosodyDomain]: `127.0.0.1:${prosody.s2sPort}` }, ...(ca ? { ca_file: ca, require_valid_certs: true } : {}) },
        },
      });
      await parley.adduser('alice', 'secret-a');
      prosody.register('bob', 'secret-b');
      a = await connectSide({ domain: parleyDomain, port: parley.ports.c2s, user: 'alice', password: 'secret-a' });
      b = await connectSide({ domain: prosodyDomain, port: prosody.c2sPort, user: 'bob', password: 'secret-b' });
    });

    after(async () => {
      await closeAll(a, b);
      await parley?.stop();
      await prosody?.stop();
    });

    test('messages flow both ways', async () => {
      await exchangeMessages(a!, aJid, b!, bJid);
      const method = mode === 'external' ? 'external' : 'dialback';
      const lines = parley.logs().split('\n');
      const logged = (msg: string) => lines.some((l) => l.includes(`"msg":"${msg}"`) && l.includes(`"method":"${method}"`));
      assert.ok(logged('s2s outgoing stream ready'), `Parley authenticated its outgoing stream with ${method}`);
      assert.ok(logged('s2s incoming stream authenticated'), `Prosody authenticated to Parley with ${method}`);
    });

    test('presence subscription both ways', async () => {
      await mutualSubscription(a!, aJid, b!, bJid);
    });

    test('vCard queries both ways', async () => {
      await fetchVcard(a!, bJid, b!, prosodyDomain, 'Bob at Prosody');
      await fetchVcard(b!, aJid, a!, parleyDomain, 'Alice at Parley');
    });
  });
}
