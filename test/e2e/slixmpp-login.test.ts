// slixmpp, a second and independent client implementation, logs in with each SCRAM variant the
// server offers (RFC 5802, RFC 7677, SHA-512) including channel binding (-PLUS, RFC 5802 §6 with
// RFC 5929 / RFC 9266 binding types), over STARTTLS and Direct TLS, and exchanges messages with
// an @xmpp/client account.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { skipUnless } from '../helpers/services.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { runSlixmpp, type SlixOptions } from '../helpers/slixmpp.ts';
import { becomeAvailable, connectXmppjs, disconnect, expectStanza, send, type Client } from '../helpers/xmppjs.ts';

const MECHANISMS = ['SCRAM-SHA-1', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'SCRAM-SHA-1-PLUS', 'SCRAM-SHA-256-PLUS', 'SCRAM-SHA-512-PLUS'];

describe('slixmpp login', { skip: skipUnless('slixmpp') }, () => {
  let server: RunningServer;
  let bob: Client;

  before(async () => {
    server = await startServer();
    await Promise.all([server.adduser('alice', 'alice-secret'), server.adduser('bob', 'bob-secret')]);
    bob = await connectXmppjs({ port: server.ports.c2s, domain: server.domain, username: 'bob', password: 'bob-secret' });
    await becomeAvailable(bob, server.domain);
  });
  after(async () => {
    if (bob) await disconnect(bob);
    await server?.stop();
  });

  const alice = (extra: Partial<SlixOptions>): SlixOptions => ({
    port: extra.directTls ? server.ports.directTls : server.ports.c2s,
    jid: `alice@${server.domain}`,
    password: 'alice-secret',
    ...extra,
  });

  for (const directTls of [false, true]) {
    for (const mechanism of MECHANISMS) {
      const transport = directTls ? 'Direct TLS' : 'STARTTLS';
      test(`${mechanism} over ${transport}: alice (slixmpp) and bob (@xmpp/client) exchange messages`, async () => {
        const body = `hello bob via ${mechanism} over ${transport}`;
        const slix = runSlixmpp(alice({ directTls, mechanism, sendTo: [`bob@${server.domain}`], body, waitMessages: 1 }));
        try {
          const started = await slix.waitForEvent('session_start');
          assert.equal(started.mechanism, mechanism, slix.transcript());
          const aliceJid = String(started.jid);
          assert.match(aliceJid, new RegExp(`^alice@${server.domain}/.+`), slix.transcript());

          await expectStanza(bob, `<message from="${aliceJid}" type="chat"><body>${body}</body></message>`);
          await send(bob, `<message to="${aliceJid}" type="chat"><body>hi alice, ${mechanism}</body></message>`);
          const got = await slix.waitForEvent('message');
          assert.equal(got.from, String(bob.jid), slix.transcript());
          assert.equal(got.body, `hi alice, ${mechanism}`, slix.transcript());

          const { code } = await slix.exited;
          assert.equal(code, 0, slix.transcript());
        } finally {
          await slix.kill();
        }
      });
    }
  }

  // RFC 5929 §3: tls-unique is the first Finished message of the handshake; on a full handshake
  // that is the client's, so the server must bind to the Finished message it received.
  test('SCRAM-SHA-256-PLUS with tls-unique over TLS 1.2', async () => {
    const slix = runSlixmpp(alice({ mechanism: 'SCRAM-SHA-256-PLUS', cbType: 'tls-unique', tlsMax: '1.2' }));
    try {
      const started = await slix.waitForEvent('session_start');
      assert.equal(started.tls_version, 'TLSv1.2', slix.transcript());
      assert.equal(started.mechanism, 'SCRAM-SHA-256-PLUS', slix.transcript());
      assert.equal((await slix.exited).code, 0, slix.transcript());
    } finally {
      await slix.kill();
    }
  });

  test('SCRAM-SHA-1-PLUS with tls-server-end-point over TLS 1.2 and Direct TLS', async () => {
    const slix = runSlixmpp(alice({ directTls: true, mechanism: 'SCRAM-SHA-1-PLUS', cbType: 'tls-server-end-point', tlsMax: '1.2' }));
    try {
      const started = await slix.waitForEvent('session_start');
      assert.equal(started.tls_version, 'TLSv1.2', slix.transcript());
      assert.equal((await slix.exited).code, 0, slix.transcript());
    } finally {
      await slix.kill();
    }
  });

  // RFC 5802 §6: gs2 flag 'y' says "I can bind, I think you cannot". The server offered -PLUS, so
  // someone stripped it: the server must fail the exchange. Stock slixmpp sends 'y' whenever TLS gives
  // it binding data and the mechanism is not -PLUS, which is exactly this case.
  test('stock slixmpp forced to SCRAM-SHA-256 sends gs2 "y" and is refused as a downgrade', async () => {
    const slix = runSlixmpp(alice({ mechanism: 'SCRAM-SHA-256', stockChannelBinding: true }));
    try {
      const failed = await slix.waitForEvent('failed_auth');
      assert.equal(failed.condition, 'not-authorized', slix.transcript());
      assert.equal(slix.events.find((e) => e.event === 'session_start'), undefined, slix.transcript());
      assert.equal((await slix.exited).code, 2, slix.transcript());
    } finally {
      await slix.kill();
    }
  });

  for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512-PLUS']) {
    test(`${mechanism} with a wrong password: failed auth with <not-authorized/>`, async () => {
      const slix = runSlixmpp(alice({ mechanism, password: 'not-her-password' }));
      try {
        const failed = await slix.waitForEvent('failed_auth');
        // RFC 6120 §6.5.10
        assert.equal(failed.condition, 'not-authorized', slix.transcript());
        assert.equal(slix.events.find((e) => e.event === 'session_start'), undefined, slix.transcript());
        assert.equal((await slix.exited).code, 2, slix.transcript());
      } finally {
        await slix.kill();
      }
    });
  }
});
