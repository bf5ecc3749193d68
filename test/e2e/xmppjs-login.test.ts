// @xmpp/client logs in over STARTTLS (RFC 6120 §5) and Direct TLS (XEP-0368) with each SASL
// mechanism it knows, binds a resource (RFC 6120 §7), and two accounts exchange a message whose
// 'from' the server stamped with the sender's full JID (RFC 6120 §8.1.2.1).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { becomeAvailable, connectXmppjs, disconnect, expectStanza, loginFailure, send, usedMechanism, type Client } from '../helpers/xmppjs.ts';

describe('@xmpp/client login', () => {
  let server: RunningServer;
  const open: Client[] = [];

  before(async () => {
    server = await startServer();
    await Promise.all([server.adduser('alice', 'alice-secret'), server.adduser('bob', 'bob-secret')]);
  });
  after(async () => {
    await Promise.all(open.map(disconnect));
    await server?.stop();
  });

  for (const directTls of [false, true]) {
    for (const mechanism of ['SCRAM-SHA-1', 'PLAIN'] as const) {
      const transport = directTls ? 'Direct TLS' : 'STARTTLS';
      test(`${mechanism} over ${transport}: bind, then alice's message reaches bob from her full JID`, async () => {
        const port = directTls ? server.ports.directTls : server.ports.c2s;
        const login = { port, directTls, domain: server.domain, mechanism };
        const alice = await connectXmppjs({ ...login, username: 'alice', password: 'alice-secret' });
        open.push(alice);
        const bob = await connectXmppjs({ ...login, username: 'bob', password: 'bob-secret', resource: `desk-${mechanism}` });
        open.push(bob);

        assert.equal(usedMechanism(alice), mechanism);
        assert.equal(usedMechanism(bob), mechanism);
        // RFC 6120 §7.6.1: a server-generated resource is non-empty; a requested one is kept.
        assert.equal(alice.jid?.bare().toString(), `alice@${server.domain}`);
        assert.ok(alice.jid?.resource, `alice bound without a resource: ${alice.jid}`);
        assert.equal(bob.jid?.toString(), `bob@${server.domain}/desk-${mechanism}`);

        // RFC 6121 §8.5.2.1.1: a message to the bare JID goes to an available resource.
        await becomeAvailable(bob, server.domain);
        await send(alice, `<message to="bob@${server.domain}" type="chat" id="hello-${mechanism}"><body>hello bob, via ${mechanism} over ${transport}</body></message>`);
        await expectStanza(bob, `
          <message from="${alice.jid}" to="bob@${server.domain}" type="chat" id="hello-${mechanism}">
            <body>hello bob, via ${mechanism} over ${transport}</body>
          </message>`);

        // And straight to the full JID, answered by bob.
        await send(bob, `<message to="${alice.jid}" type="chat" id="reply-${mechanism}"><body>hi alice</body></message>`);
        await expectStanza(alice, `<message from="${bob.jid}" to="${alice.jid}" type="chat" id="reply-${mechanism}"><body>hi alice</body></message>`);

        await Promise.all([disconnect(alice), disconnect(bob)]);
      });
    }
  }

  for (const mechanism of ['SCRAM-SHA-1', 'PLAIN'] as const) {
    test(`${mechanism} with a wrong password fails with <not-authorized/>`, async () => {
      // RFC 6120 §6.5.10
      const err = await loginFailure({ port: server.ports.c2s, domain: server.domain, username: 'alice', password: 'not-her-password', mechanism });
      assert.equal(err.condition, 'not-authorized', `expected not-authorized, got ${err.name}: ${err.message}`);
    });
  }

  test('an unknown user fails exactly like a wrong password (<not-authorized/>)', async () => {
    const err = await loginFailure({ port: server.ports.directTls, directTls: true, domain: server.domain, username: 'mallory', password: 'whatever', mechanism: 'SCRAM-SHA-1' });
    assert.equal(err.condition, 'not-authorized', `expected not-authorized, got ${err.name}: ${err.message}`);
  });
});
