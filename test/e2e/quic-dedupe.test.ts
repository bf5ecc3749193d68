// quic-ack's duplicate backstop (docs/quic.md §5.4, specs/quic.md §6): a message the server routed
// but whose ack never reached the client is resent as new after <failed/>; the server drops it
// because it routed the same (full JID, origin-id) in the last 5 minutes. Over QUIC and over TCP.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { xml } from '../../src/xml/element.ts';
import { QuicXmppClient } from '../../src/quic-client/index.ts';
import { becomeAvailable, connectXmppjs, disconnect, expectStanza, received, send } from '../helpers/xmppjs.ts';
import { startQuicServer, testCa, type QuicServer } from '../helpers/quic.ts';
import { UdpRelay } from '../helpers/udp-relay.ts';
import { metricValue, scrapeMetrics } from '../helpers/metrics.ts';

const withOrigin = (to: string, id: string) => xml('message', { to, type: 'chat', id }, xml('body', {}, id), xml('origin-id', { xmlns: 'urn:xmpp:sid:0', id: `origin-${id}` }));
const count = (els: { name: string; attrs: Record<string, string> }[], id: string) => els.filter((e) => e.name === 'message' && e.attrs.id === id).length;

describe('quic-ack: origin-id duplicate backstop', () => {
  let server: QuicServer;
  let d: string;
  before(async () => {
    // resume_seconds 1: the session is gone by the time the client comes back, so it gets <failed/>.
    server = await startQuicServer({ resume_seconds: 1 });
    d = server.domain;
    await Promise.all(['alice', 'bob'].map((u) => server.adduser(u, `${u}-secret`)));
  });
  after(async () => {
    await server?.stop();
  });

  const drops = async () => metricValue((await scrapeMetrics(server.ports.http)).text, 'parley_quic_duplicate_drops_total') ?? 0;

  for (const transport of ['quic', 'tcp'] as const) {
    test(`routed but never acked, resent as new after <failed/> (${transport}): bob gets it once`, async () => {
      const relay = new UdpRelay({ host: '127.0.0.1', port: server.quicPort });
      await relay.start();
      const bob = await connectXmppjs({ port: server.ports.c2s, domain: d, username: 'bob', password: 'bob-secret', mechanism: 'PLAIN' });
      const alice = await QuicXmppClient.connect({ host: '127.0.0.1', port: relay.port, domain: d, username: 'alice', password: 'alice-secret', resource: `dup-${transport}`, ca: testCa });
      let again: QuicXmppClient | null = null;
      try {
        await becomeAvailable(bob, d);
        const dropsBefore = await drops();
        await alice.send(withOrigin(`bob@${d}`, `${transport}-m0`));
        // The server routes m1, but its ack is lost on the way back.
        relay.drop = 'to-client';
        const tick = alice.send(withOrigin(`bob@${d}`, `${transport}-m1`));
        await expectStanza(bob, `<message id="${transport}-m1"/>`);
        assert.equal(alice.unacked, 1, 'm1 is routed but not acked as far as alice knows');
        const hibernated = server.waitForLog(new RegExp(`session hibernated[^\\n]*dup-${transport}|dup-${transport}[^\\n]*session hibernated`));
        await alice.destroy(); // its close still reaches the server: the session waits 1 s, then ends
        await hibernated;
        await new Promise((r) => setTimeout(r, 1500));

        again = await QuicXmppClient.resume(alice, transport === 'tcp' ? { transport, port: server.ports.directTls } : { port: server.quicPort });
        assert.equal(again.resumeOutcome, 'failed');
        assert.equal(again.jid, `alice@${d}/dup-${transport}`, 'bound again under the same resource');
        await tick; // the resent m1 counts as handled (dropped on purpose)
        await again.send(withOrigin(`bob@${d}`, `${transport}-m2`));
        await expectStanza(bob, `<message id="${transport}-m2"/>`); // m1's resend went before m2 on the same stream
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(count(received(bob) as never, `${transport}-m1`), 1, 'm1 reached bob exactly once');
        assert.equal(count(received(bob) as never, `${transport}-m2`), 1);
        assert.equal((await drops()) - dropsBefore, 1, 'one duplicate dropped, counted in the metric');
      } finally {
        await disconnect(bob);
        await (again ?? alice).close();
        relay.close();
      }
    });
  }

  test('only pairs recorded from quic-ack sessions: a plain TCP client repeating an origin-id is not filtered', async () => {
    const bob = await connectXmppjs({ port: server.ports.c2s, domain: d, username: 'bob', password: 'bob-secret', mechanism: 'PLAIN', resource: 'b' });
    const plain = await connectXmppjs({ port: server.ports.c2s, domain: d, username: 'alice', password: 'alice-secret', mechanism: 'PLAIN', resource: 'plain' });
    try {
      await becomeAvailable(bob, d);
      const raw = (id: string) => `<message to="bob@${d}" type="chat" id="${id}"><body>x</body><origin-id xmlns="urn:xmpp:sid:0" id="same"/></message>`;
      await send(plain, raw('p1'));
      await send(plain, raw('p2'));
      await expectStanza(bob, `<message id="p1"/>`);
      await expectStanza(bob, `<message id="p2"/>`);
    } finally {
      await Promise.all([disconnect(bob), disconnect(plain)]);
    }
  });
});
