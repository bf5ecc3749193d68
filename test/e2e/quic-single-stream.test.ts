// XEP-0467 single-stream mode: a client opens one QUIC stream (ALPN xmpp-client), authenticates
// without STARTTLS, binds, and exchanges messages with a TCP client; quic-ack ticks every stanza.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { xml } from '../../src/xml/element.ts';
import { becomeAvailable, connectXmppjs, disconnect, expectStanza, send } from '../helpers/xmppjs.ts';
import { quicLogin, startQuicServer, testCa, waitStanza, type QuicServer } from '../helpers/quic.ts';
import { QuicXmppClient } from '../../src/quic-client/index.ts';

describe('XMPP over QUIC, single-stream (XEP-0467)', () => {
  let server: QuicServer;
  before(async () => {
    server = await startQuicServer();
    await Promise.all(['alice', 'bob'].map((u) => server.adduser(u, `${u}-secret`)));
  });
  after(async () => {
    await server?.stop();
  });

  test('QUIC client and TCP client exchange messages; every sent stanza is acked', async () => {
    const d = server.domain;
    const alice = await quicLogin(server, 'alice', { resource: 'quic', mode: 'single' });
    const bob = await connectXmppjs({ port: server.ports.c2s, domain: d, username: 'bob', password: 'bob-secret', mechanism: 'PLAIN' });
    try {
      await becomeAvailable(bob, d);
      assert.equal(alice.jid, `alice@${d}/quic`);
      assert.equal(alice.mux, null);
      const ticks = [];
      for (let i = 0; i < 5; i++) ticks.push(alice.send(xml('message', { to: `bob@${d}`, type: 'chat', id: `q${i}` }, xml('body', {}, `over quic ${i}`))));
      await Promise.all(ticks);
      assert.equal(alice.unacked, 0);
      for (let i = 0; i < 5; i++) await expectStanza(bob, `<message from="alice@${d}/quic" type="chat" id="q${i}"><body>over quic ${i}</body></message>`);

      await send(bob, `<message to="alice@${d}/quic" type="chat" id="back"><body>over tcp</body></message>`);
      const got = await waitStanza(alice, (el) => el.attrs.id === 'back');
      assert.equal(got.attrs.from, bob.jid?.toString());
      assert.equal(got.getChildText('body'), 'over tcp');
    } finally {
      await disconnect(bob);
      await alice.close();
    }
  });

  test('discovery: host-meta advertises the QUIC endpoint (XEP-0467 via XEP-0156)', async () => {
    const res = await fetch(`http://127.0.0.1:${server.ports.http}/.well-known/host-meta.json`);
    const links = (await res.json()).links as Array<{ rel: string; href: string }>;
    assert.deepEqual(links.find((l) => l.rel === 'urn:xmpp:alt-connections:quic'), { rel: 'urn:xmpp:alt-connections:quic', href: `quic://${server.domain}:${server.quicPort}` });
    const xrd = await (await fetch(`http://127.0.0.1:${server.ports.http}/.well-known/host-meta`)).text();
    assert.match(xrd, new RegExp(`rel="urn:xmpp:alt-connections:quic" href="quic://${server.domain}:${server.quicPort}"`));
  });

  test('the server certificate is checked like for TLS: an untrusted one fails the handshake', async () => {
    await assert.rejects(QuicXmppClient.connect({ host: '127.0.0.1', port: server.quicPort, domain: server.domain, username: 'alice', password: 'alice-secret', timeoutMs: 4000 }));
    // With the right trust anchor the same login works (the ALPN read by src/net/quic/native.ts matched).
    const ok = await QuicXmppClient.connect({ host: '127.0.0.1', port: server.quicPort, domain: server.domain, username: 'alice', password: 'alice-secret', ca: testCa, ack: false });
    await ok.close();
  });
});
