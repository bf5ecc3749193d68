// Parley's QUIC mux (docs/quic.md §4): one session over several QUIC streams ("lanes"). Messages
// of one conversation keep their send order in both directions while conversations use separate
// lanes; a client that breaks the lane rules gets the stream error docs/quic.md names.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { xml, type Element } from '../../src/xml/element.ts';
import { becomeAvailable, connectXmppjs, disconnect, expectStanza, received, send } from '../helpers/xmppjs.ts';
import { quicLogin, startQuicServer, waitStanza, type QuicServer } from '../helpers/quic.ts';
import { streamOpen } from '../../src/quic-client/xml-lane.ts';

const waitFor = async (cond: () => boolean, ms = 10_000, what = cond.toString()) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`not met in time: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};
const streamErrorCondition = (els: Element[]) => els.find((e) => e.name === 'stream:error' || e.name === 'error')?.getChildElements().map((c) => c.name) ?? [];

describe('XMPP over QUIC, multi-stream (mux)', () => {
  let server: QuicServer;
  let d: string;
  before(async () => {
    server = await startQuicServer({ max_lanes: 4 });
    d = server.domain;
    await Promise.all(['alice', 'bob', 'carol'].map((u) => server.adduser(u, `${u}-secret`)));
  });
  after(async () => {
    await server?.stop();
  });

  test('two conversations on separate lanes, each in send order, both directions, all acked', async () => {
    const alice = await quicLogin(server, 'alice', { resource: 'm', mode: 'mux', lanes: 8 });
    const bob = await connectXmppjs({ port: server.ports.c2s, domain: d, username: 'bob', password: 'bob-secret', mechanism: 'PLAIN' });
    const carol = await connectXmppjs({ port: server.ports.c2s, domain: d, username: 'carol', password: 'carol-secret', mechanism: 'PLAIN' });
    try {
      await becomeAvailable(bob, d);
      await becomeAvailable(carol, d);
      assert.deepEqual(alice.mux?.lanes, 4, 'lane count is the minimum of both offers');
      const N = 60;
      const ticks: Promise<void>[] = [];
      for (let i = 0; i < N; i++) {
        ticks.push(alice.send(xml('message', { to: `bob@${d}`, type: 'chat', id: `b${i}` }, xml('body', {}, 'x'.repeat(2000)))));
        ticks.push(alice.send(xml('message', { to: `carol@${d}`, type: 'chat', id: `c${i}` }, xml('body', {}, `to carol ${i}`))));
      }
      await Promise.all(ticks);
      assert.equal(alice.unacked, 0);
      assert.ok(alice.openLanes >= 2, `conversations used separate lanes (opened ${alice.openLanes})`);
      await expectStanza(bob, `<message id="b${N - 1}"/>`);
      await expectStanza(carol, `<message id="c${N - 1}"/>`);
      const ids = (c: typeof bob, p: string) => received(c).filter((e) => e.name === 'message' && e.attrs.id?.startsWith(p)).map((e) => e.attrs.id);
      assert.deepEqual(ids(bob, 'b'), Array.from({ length: N }, (_, i) => `b${i}`));
      assert.deepEqual(ids(carol, 'c'), Array.from({ length: N }, (_, i) => `c${i}`));

      // Server to client: the server opens its own lanes; order per conversation holds.
      for (let i = 0; i < N; i++) {
        await send(bob, `<message to="alice@${d}/m" type="chat" id="fb${i}"><body>from bob ${i}</body></message>`);
        await send(carol, `<message to="alice@${d}/m" type="chat" id="fc${i}"><body>from carol ${i}</body></message>`);
      }
      await waitStanza(alice, (el) => el.attrs.id === `fb${N - 1}`);
      await waitStanza(alice, (el) => el.attrs.id === `fc${N - 1}`);
      const got = (p: string) => alice.received.filter((e) => e.attrs.id?.startsWith(p)).map((e) => e.attrs.id);
      assert.deepEqual(got('fb'), Array.from({ length: N }, (_, i) => `fb${i}`));
      assert.deepEqual(got('fc'), Array.from({ length: N }, (_, i) => `fc${i}`));
      const onLanes = [...alice.receivedByLane].filter(([n]) => n > 0).reduce((a, [, c]) => a + c, 0);
      assert.ok(onLanes >= 2 * N, `server used lanes for conversations (${onLanes} on lanes ≥ 1)`);
    } finally {
      await Promise.all([disconnect(bob), disconnect(carol)]);
      await alice.close();
    }
  });

  test('a lane beyond the negotiated count: policy-violation, connection closed', async () => {
    const alice = await quicLogin(server, 'alice', { resource: 'over', mode: 'mux', lanes: 4 });
    try {
      const lane = alice.openRawLane(alice.mux!.lanes); // lanes are 1..lanes-1
      lane.write(`<message to="bob@${d}" type="chat"><body>x</body></message>`);
      await waitFor(() => alice.laneErrors.length > 0);
      assert.deepEqual(streamErrorCondition(alice.laneErrors).slice(0, 2), ['policy-violation', 'text']);
      assert.ok(alice.laneErrors[0].getChild('bad-lane', 'urn:xmpp:quic-mux:0'));
      await waitFor(() => alice.closedReason !== null);
    } finally {
      await alice.destroy();
    }
  });

  test('a lane with a sid from no mux on this connection: policy-violation', async () => {
    const alice = await quicLogin(server, 'alice', { resource: 'sid', mode: 'mux', lanes: 4 });
    try {
      alice.openRawLane(1, 'not-a-sid');
      await waitFor(() => alice.laneErrors.length > 0);
      assert.equal(streamErrorCondition(alice.laneErrors)[0], 'policy-violation');
      assert.ok(alice.laneErrors[0].getChild('unknown-sid', 'urn:xmpp:quic-mux:0'));
    } finally {
      await alice.destroy();
    }
  });

  test('a stanza for lane 0 sent on another lane: policy-violation <wrong-lane/>', async () => {
    const alice = await quicLogin(server, 'alice', { resource: 'wrong', mode: 'mux', lanes: 4 });
    try {
      const lane = alice.openRawLane(1);
      // An iq to the server itself is control traffic (docs/quic.md §4.1).
      lane.write(`<iq type="get" id="p1" to="${d}"><ping xmlns="urn:xmpp:ping"/></iq>`);
      await waitFor(() => alice.laneErrors.length > 0);
      assert.equal(streamErrorCondition(alice.laneErrors)[0], 'policy-violation');
      assert.ok(alice.laneErrors[0].getChild('wrong-lane', 'urn:xmpp:quic-mux:0'));
      await waitFor(() => alice.closedReason !== null);
    } finally {
      await alice.destroy();
    }
  });

  test('more XML streams on one QUIC connection than allowed: policy-violation on the extra one', async () => {
    const alice = await quicLogin(server, 'alice', { resource: 'many', mode: 'single' });
    try {
      // The session's own stream is the first; the cap is 4 (quic.max_sessions_per_connection).
      const extra = [1, 2, 3, 4].map(() => alice.openRawStream(streamOpen(d)));
      await waitFor(() => alice.laneErrors.some((e) => e.name === 'stream:error'));
      const err = alice.laneErrors.find((e) => e.name === 'stream:error')!;
      assert.equal(err.getChildElements()[0].name, 'policy-violation');
      assert.equal(alice.laneErrors.filter((e) => e.name === 'stream:error').length, 1);
      // The allowed ones got ordinary stream features (each is its own XMPP connection, XEP-0467).
      await waitFor(() => alice.laneErrors.filter((e) => e.name === 'stream:features').length === 3);
      for (const l of extra) l.close();
    } finally {
      await alice.destroy();
    }
  });
});
