// Two Parley processes federating (two domains): the same conversation as with Prosody, with
// self-signed certificates (dialback) and with CA-issued ones (SASL EXTERNAL); plus failures:
// an unresolvable domain and a server that is down bounce with the right error in time.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, testCert, testKey, type RunningServer } from '../helpers/server.ts';
import { freePorts } from '../helpers/ports.ts';
import { connectSide, exchangeMessages, mutualSubscription, fetchVcard, closeAll } from '../helpers/federation.ts';
import { expectStanza, send, type Client } from '../helpers/xmppjs.ts';

for (const mode of ['dialback', 'external'] as const) {
  describe(`Parley to Parley federation (${mode})`, () => {
    const d1 = 'one.parley.test';
    const d2 = 'two.parley.test';
    let s1: RunningServer;
    let s2: RunningServer;
    let a: Client | undefined;
    let b: Client | undefined;

    before(async () => {
      const external = mode === 'external';
      const tls = external ? { certificate: process.env.PARLEY_TEST_CA_CERT!, key: process.env.PARLEY_TEST_CA_KEY! } : { certificate: testCert, key: testKey };
      const trust = external ? { ca_file: process.env.PARLEY_TEST_CA!, require_valid_certs: true } : {};
      const [p1, p2] = await freePorts(2);
      s1 = await startServer({ domains: [d1], config: { tls, s2s: { port: p1, routes: { [d2]: `127.0.0.1:${p2}` }, ...trust } } });
      s2 = await startServer({ domains: [d2], config: { tls, s2s: { port: p2, routes: { [d1]: `127.0.0.1:${p1}` }, ...trust } } });
      await s1.adduser('alice', 'pw-alice');
      await s2.adduser('bob', 'pw-bob');
      a = await connectSide({ domain: d1, port: s1.ports.c2s, user: 'alice', password: 'pw-alice' });
      b = await connectSide({ domain: d2, port: s2.ports.c2s, user: 'bob', password: 'pw-bob' });
    });

    after(async () => {
      await closeAll(a, b);
      await s1?.stop();
      await s2?.stop();
    });

    test('messages flow both ways', async () => {
      await exchangeMessages(a!, `alice@${d1}`, b!, `bob@${d2}`);
      for (const s of [s1, s2]) {
        const lines = s.logs().split('\n');
        assert.ok(lines.some((l) => l.includes('"msg":"s2s outgoing stream ready"') && l.includes(`"method":"${mode}"`)), `${s.domain} used ${mode}`);
      }
    });

    test('presence subscription both ways', async () => {
      await mutualSubscription(a!, `alice@${d1}`, b!, `bob@${d2}`);
    });

    test('vCard queries both ways', async () => {
      await fetchVcard(a!, `bob@${d2}`, b!, d2, 'Bob Two');
      await fetchVcard(b!, `alice@${d1}`, a!, d1, 'Alice One');
    });
  });
}

describe('s2s failures come back to the sender', () => {
  let s: RunningServer;
  let a: Client | undefined;
  let downPort: number;

  before(async () => {
    // A port nobody listens on (freed right away) stands for a server that is down; the DNS
    // server is a loopback port that does not answer, so nothing leaves the machine.
    [downPort] = await freePorts(1);
    const [dnsPort] = await freePorts(1);
    s = await startServer({
      config: { s2s: { port: 0, connect_timeout: 3, dns_servers: [`127.0.0.1:${dnsPort}`], routes: { 'down.parley.test': `127.0.0.1:${downPort}` } } },
    });
    await s.adduser('alice', 'pw');
    a = await connectSide({ domain: s.domain, port: s.ports.c2s, user: 'alice', password: 'pw' });
  });

  after(async () => {
    await closeAll(a);
    await s?.stop();
  });

  test('a domain that does not resolve: remote-server-not-found', async () => {
    await send(a!, '<message to="someone@nowhere.parley.test" id="nx1" type="chat"><body>anyone?</body></message>');
    const err = await expectStanza(a!, '<message type="error" id="nx1"><error><remote-server-not-found xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></message>', 15_000);
    assert.equal(err.attrs.from, 'someone@nowhere.parley.test');
  });

  test('a server that is down: remote-server-not-found within the connect timeout', async () => {
    const started = Date.now();
    await send(a!, '<message to="bob@down.parley.test" id="down1" type="chat"><body>hello?</body></message>');
    await send(a!, '<iq to="down.parley.test" id="down2" type="get"><ping xmlns="urn:xmpp:ping"/></iq>');
    await expectStanza(a!, '<message type="error" id="down1"><error><remote-server-not-found xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></message>', 10_000);
    await expectStanza(a!, '<iq type="error" id="down2"><error><remote-server-not-found xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></iq>', 10_000);
    assert.ok(Date.now() - started < 10_000);
  });
});
