// quic-ack (docs/quic.md §6): every stanza a client sends gets its "delivered to the server"
// tick; a forced address change (QUIC migration) and a lost connection followed by resumption
// lose nothing and duplicate nothing, in either direction.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { xml } from '../../src/xml/element.ts';
import { QuicXmppClient } from '../../src/quic-client/index.ts';
import { becomeAvailable, connectXmppjs, disconnect, expectStanza, received, send, sync } from '../helpers/xmppjs.ts';
import { quicLogin, startQuicServer, waitStanza, type QuicServer } from '../helpers/quic.ts';
import { UdpRelay } from '../helpers/udp-relay.ts';

const msg = (to: string, id: string, body = id) => xml('message', { to, type: 'chat', id }, xml('body', {}, body));
const ids = (els: { name: string; attrs: Record<string, string> }[], prefix: string) => els.filter((e) => e.name === 'message' && e.attrs.id?.startsWith(prefix)).map((e) => e.attrs.id);
const range = (p: string, n: number) => Array.from({ length: n }, (_, i) => `${p}${i}`);

for (const mode of ['single', 'mux'] as const) {
  describe(`quic-ack (${mode})`, () => {
    let server: QuicServer;
    let d: string;
    before(async () => {
      server = await startQuicServer({ resume_seconds: 60 });
      d = server.domain;
      await Promise.all(['alice', 'bob'].map((u) => server.adduser(u, `${u}-secret`)));
    });
    after(async () => {
      await server?.stop();
    });

    test('address change mid-conversation: same connection, nothing lost or duplicated', async () => {
      const relay = new UdpRelay({ host: '127.0.0.1', port: server.quicPort });
      await relay.start();
      const bob = await connectXmppjs({ port: server.ports.c2s, domain: d, username: 'bob', password: 'bob-secret', mechanism: 'PLAIN' });
      const alice = await QuicXmppClient.connect({ host: '127.0.0.1', port: relay.port, domain: d, username: 'alice', password: 'alice-secret', resource: 'mig', mode, ca: (await import('../helpers/quic.ts')).testCa });
      try {
        await becomeAvailable(bob, d);
        const ticks: Promise<void>[] = [];
        for (let i = 0; i < 40; i++) {
          ticks.push(alice.send(msg(`bob@${d}`, `m${i}`)));
          if (i === 20) await relay.rebind();
          if (i % 5 === 0) await send(bob, `<message to="${alice.jid}" type="chat" id="r${i / 5}"><body>r</body></message>`);
          await new Promise((r) => setTimeout(r, 10));
        }
        await Promise.all(ticks);
        await expectStanza(bob, `<message id="m39"/>`);
        await waitStanza(alice, (e) => e.attrs.id === 'r7');
        assert.equal(relay.rebinds, 1);
        assert.equal(alice.closedReason, null, 'the QUIC connection survived the address change');
        assert.deepEqual(ids(received(bob) as never, 'm'), range('m', 40));
        assert.deepEqual(ids(alice.received as never, 'r'), range('r', 8));
      } finally {
        await disconnect(bob);
        await alice.close();
        relay.close();
      }
    });

    test('connection lost and resumed: every message arrives exactly once, every tick fires', async () => {
      const bob = await connectXmppjs({ port: server.ports.c2s, domain: d, username: 'bob', password: 'bob-secret', mechanism: 'PLAIN' });
      let alice = await quicLogin(server, 'alice', { resource: 'res', mode });
      try {
        await becomeAvailable(bob, d);
        for (let i = 0; i < 5; i++) await send(bob, `<message to="${alice.jid}" type="chat" id="b${i}"><body>before</body></message>`);
        await waitStanza(alice, (e) => e.attrs.id === 'b4');
        const ticks: Promise<void>[] = [];
        for (let i = 0; i < 30; i++) ticks.push(alice.send(msg(`bob@${d}`, `a${i}`, 'y'.repeat(3000))));
        // Drop the connection while stanzas are in flight; no closing handshake.
        await new Promise((r) => setTimeout(r, 5));
        const inFlight = alice.unacked;
        await alice.destroy();
        assert.ok(inFlight > 0, 'some stanzas were still unacked when the connection dropped');
        // Sent while alice is away: the server keeps them for the resumed session.
        for (let i = 5; i < 15; i++) await send(bob, `<message to="${alice.jid}" type="chat" id="b${i}"><body>while away</body></message>`);
        await sync(bob, d); // the server has routed them before alice comes back
        alice = await QuicXmppClient.resume(alice);
        for (let i = 30; i < 40; i++) ticks.push(alice.send(msg(`bob@${d}`, `a${i}`)));
        await Promise.all(ticks);
        assert.equal(alice.unacked, 0);
        await expectStanza(bob, `<message id="a39"/>`);
        await waitStanza(alice, (e) => e.attrs.id === 'b14');
        await new Promise((r) => setTimeout(r, 500)); // room for a duplicate to show up
        const toBob = ids(received(bob) as never, 'a');
        assert.deepEqual([...toBob].sort(), [...range('a', 40)].sort(), 'bob got each of alice\'s messages exactly once');
        if (mode === 'single') assert.deepEqual(toBob, range('a', 40), 'in send order');
        assert.deepEqual(ids(alice.received as never, 'b'), range('b', 15), 'alice got each of bob\'s messages exactly once, in order');
        const resumed = JSON.parse(await server.waitForLog(/quic-ack session resumed/));
        assert.ok(resumed.resent >= 10, `the server resent what alice had not counted (${resumed.resent})`);
      } finally {
        await disconnect(bob);
        await alice.close();
      }
    });

    test('resuming an unknown session: <failed/>, the client binds anew and resends its unacked stanzas', async () => {
      const alice = await quicLogin(server, 'alice', { resource: 'gone', mode });
      const stale = Object.assign(alice, { ackId: 'no-such-session' });
      const again = await QuicXmppClient.resume(stale);
      try {
        assert.notEqual(again.ackId, 'no-such-session');
        await again.send(msg(`bob@${d}`, 'after-failed'));
      } finally {
        await again.close();
      }
    });
  });
}
