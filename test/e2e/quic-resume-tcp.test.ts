// Resuming a quic-ack session over TCP (docs/quic.md §5.3, specs/quic.md §6): a mux session over
// QUIC dies abruptly with stanzas in flight both ways; the client resumes it over Direct TLS or
// STARTTLS: nothing lost, nothing duplicated, per-conversation order kept, and later stanzas
// flow over TCP with their ticks. On TCP quic-ack is resume-only: new sessions use XEP-0198.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { xml } from '../../src/xml/element.ts';
import { QuicXmppClient } from '../../src/quic-client/index.ts';
import { becomeAvailable, connectXmppjs, disconnect, expectStanza, received, send, sync } from '../helpers/xmppjs.ts';
import { quicLogin, startQuicServer, testCa, waitStanza, type QuicServer } from '../helpers/quic.ts';
import { UdpRelay } from '../helpers/udp-relay.ts';
import { RawXmpp } from '../helpers/raw.ts';
import { enableSm, requestAck } from '../helpers/sm-raw.ts';

const NS_ACK = 'urn:xmpp:quic-ack:0';
const msg = (to: string, id: string, body = id) => xml('message', { to, type: 'chat', id }, xml('body', {}, body));
const ids = (els: { name: string; attrs: Record<string, string> }[], prefix: string) => els.filter((e) => e.name === 'message' && e.attrs.id?.startsWith(prefix)).map((e) => e.attrs.id);
const range = (p: string, from: number, to: number) => Array.from({ length: to - from }, (_, i) => `${p}${from + i}`);

describe('quic-ack: resuming a QUIC session over TCP', () => {
  let server: QuicServer;
  let d: string;
  before(async () => {
    server = await startQuicServer({ resume_seconds: 60, max_lanes: 4 });
    d = server.domain;
    await Promise.all(['alice', 'bob', 'carol', 'dave'].map((u) => server.adduser(u, `${u}-secret`)));
  });
  after(async () => {
    await server?.stop();
  });

  for (const tls of ['direct-tls', 'starttls'] as const) {
    test(`mux session killed mid-flight, resumed over TCP (${tls}): exactly once, in order, ticks keep working`, async () => {
      const relay = new UdpRelay({ host: '127.0.0.1', port: server.quicPort });
      await relay.start();
      const bob = await connectXmppjs({ port: server.ports.c2s, domain: d, username: 'bob', password: 'bob-secret', mechanism: 'PLAIN' });
      const carol = await connectXmppjs({ port: server.ports.c2s, domain: d, username: 'carol', password: 'carol-secret', mechanism: 'PLAIN' });
      let alice = await QuicXmppClient.connect({ host: '127.0.0.1', port: relay.port, domain: d, username: 'alice', password: 'alice-secret', resource: tls, mode: 'mux', lanes: 4, ca: testCa });
      try {
        await Promise.all([becomeAvailable(bob, d), becomeAvailable(carol, d)]);
        const to = { b: `bob@${d}`, c: `carol@${d}` };
        const ticks: Promise<void>[] = [];
        // Warm up both conversations on their lanes, both directions.
        for (let i = 0; i < 5; i++) ticks.push(alice.send(msg(to.b, `ab${i}`)), alice.send(msg(to.c, `ac${i}`)));
        await Promise.all(ticks);
        await send(bob, `<message to="${alice.jid}" type="chat" id="ba0"><body>hi</body></message>`);
        await waitStanza(alice, (e) => e.attrs.id === 'ba0');
        assert.ok(alice.openLanes >= 2, `the conversations use lanes (${alice.openLanes})`);
        assert.ok([...alice.receivedByLane].some(([n, c]) => n > 0 && c > 0), 'the server delivers on its own lanes');

        // In flight both ways, then the path goes dark: no close reaches either side.
        for (let i = 5; i < 30; i++) ticks.push(alice.send(msg(to.b, `ab${i}`, 'y'.repeat(2000))), alice.send(msg(to.c, `ac${i}`)));
        const fromPeers: Promise<void>[] = [];
        for (let i = 1; i < 15; i++) fromPeers.push(send(bob, `<message to="${alice.jid}" type="chat" id="ba${i}"><body>${'z'.repeat(1500)}</body></message>`), send(carol, `<message to="${alice.jid}" type="chat" id="ca${i}"><body>c</body></message>`));
        await new Promise((r) => setTimeout(r, 15));
        relay.drop = 'both';
        const inFlight = alice.unacked;
        await alice.destroy();
        await Promise.all(fromPeers);
        assert.ok(inFlight > 0, 'stanzas were unacked when the connection died');
        // While alice is away (the server still thinks the QUIC connection is up).
        for (let i = 15; i < 20; i++) await send(bob, `<message to="${alice.jid}" type="chat" id="ba${i}"><body>away</body></message>`);
        await sync(bob, d);

        const port = tls === 'direct-tls' ? server.ports.directTls : server.ports.c2s;
        alice = await QuicXmppClient.resume(alice, { transport: 'tcp', tls, port });
        assert.equal(alice.resumeOutcome, 'resumed');
        assert.equal(alice.transport, 'tcp');
        assert.equal(alice.mux, null, 'no lanes on TCP');
        // Later stanzas flow over TCP, acked with lane-0 <a/>: every tick, old and new, fires.
        for (let i = 30; i < 40; i++) ticks.push(alice.send(msg(to.b, `ab${i}`)), alice.send(msg(to.c, `ac${i}`)));
        await Promise.all(ticks);
        assert.equal(alice.unacked, 0);
        for (let i = 20; i < 25; i++) await send(carol, `<message to="${alice.jid}" type="chat" id="ca${i}"><body>over tcp</body></message>`);
        await expectStanza(bob, `<message id="ab39"/>`);
        await expectStanza(carol, `<message id="ac39"/>`);
        await waitStanza(alice, (e) => e.attrs.id === 'ba19');
        await waitStanza(alice, (e) => e.attrs.id === 'ca24');
        await new Promise((r) => setTimeout(r, 500)); // room for a duplicate to show up

        assert.deepEqual(ids(received(bob) as never, 'ab'), range('ab', 0, 40), 'bob: each of alice\'s messages once, in order');
        assert.deepEqual(ids(received(carol) as never, 'ac'), range('ac', 0, 40), 'carol: each once, in order');
        assert.deepEqual(ids(alice.received as never, 'ba'), range('ba', 0, 20), 'alice: each of bob\'s once, in order');
        assert.deepEqual(ids(alice.received as never, 'ca'), [...range('ca', 1, 15), ...range('ca', 20, 25)], 'alice: each of carol\'s once, in order');
        const resumed = JSON.parse(await server.waitForLog(/quic-ack session resumed.*"transport":"tcp"|"transport":"tcp".*quic-ack session resumed/));
        assert.ok(resumed.resent > 0, `the server resent what alice had not counted (${resumed.resent})`);

        // Ack counting still works after a second loss: resume again, over TCP again.
        const before = alice.received.length;
        alice = await QuicXmppClient.resume(alice, { transport: 'tcp', tls, port });
        assert.equal(alice.resumeOutcome, 'resumed');
        await alice.send(msg(to.b, 'ab40'));
        await expectStanza(bob, `<message id="ab40"/>`);
        assert.equal(alice.received.length, before, 'nothing resent that alice had counted');
      } finally {
        await Promise.all([disconnect(bob), disconnect(carol)]);
        await alice.close();
        relay.close();
      }
    });
  }

  test('unknown previd over TCP: <failed/>, the client binds anew and its message still goes out', async () => {
    const alice = await quicLogin(server, 'alice', { resource: 'stale' });
    const bob = await connectXmppjs({ port: server.ports.c2s, domain: d, username: 'bob', password: 'bob-secret', mechanism: 'PLAIN' });
    const stale = Object.assign(alice, { ackId: 'no-such-session' });
    const again = await QuicXmppClient.resume(stale, { transport: 'tcp', port: server.ports.directTls });
    try {
      assert.equal(again.resumeOutcome, 'failed');
      assert.equal(again.transport, 'tcp');
      assert.equal(again.ackId, '', 'no quic-ack for a new TCP session');
      await becomeAvailable(bob, d);
      await again.send(msg(`bob@${d}`, 'after-failed'));
      await expectStanza(bob, `<message id="after-failed" from="alice@${d}/stale"/>`);
    } finally {
      await disconnect(bob);
      await again.close();
    }
  });

  test('a new TCP session sees quic-ack as resume-only, cannot enable it, and XEP-0198 works', async () => {
    const raw = await RawXmpp.login({ port: server.ports.c2s, domain: d, username: 'dave', password: 'dave-secret' });
    try {
      assert.match(raw.unread(true), new RegExp(`<ack xmlns=["']${NS_ACK}["'] resume-only=["']true["']/>`));
      assert.doesNotMatch(raw.unread(true), /urn:xmpp:quic-mux:0/, 'no mux on TCP');
      await raw.bind('tcp');
      raw.write(`<enable xmlns='${NS_ACK}' resume='true'/>`);
      const refused = await raw.waitFor(/<failed[\s\S]*?<\/failed>/);
      assert.match(refused, /feature-not-implemented/);
      assert.ok(!raw.closed, 'the stream goes on');
      const enabled = await enableSm(raw);
      assert.equal(enabled.resume, 'true');
      raw.write(`<iq type='get' id='p1' to='${d}'><ping xmlns='urn:xmpp:ping'/></iq>`);
      await raw.waitFor(/<iq[^>]*id=["']p1["']/);
      assert.equal(await requestAck(raw), 1, 'XEP-0198 counts the stanza');
    } finally {
      raw.destroy();
    }
  });

  test('a session uses XEP-0198 or quic-ack, not both: the second is refused with <failed/>', async () => {
    const NS_SM = 'urn:xmpp:sm:3';
    const failedIn = (ns: string) => (el: { name: string; getNS(): string | undefined }) => el.getNS() === ns && (el.name === 'failed' || el.name === 'enabled');
    const smFirst = await quicLogin(server, 'dave', { resource: 'sm-first', ack: false });
    const ackFirst = await quicLogin(server, 'dave', { resource: 'ack-first' });
    try {
      const smOn = smFirst.next(failedIn(NS_SM));
      smFirst.writeRaw(0, `<enable xmlns='${NS_SM}' resume='true'/>`);
      assert.equal((await smOn).name, 'enabled');
      const ackRefused = smFirst.next(failedIn(NS_ACK));
      smFirst.writeRaw(0, `<enable xmlns='${NS_ACK}' resume='true'/>`);
      const a = await ackRefused;
      assert.equal(a.name, 'failed');
      assert.ok(a.getChild('unexpected-request'), a.toString());

      const smRefused = ackFirst.next(failedIn(NS_SM));
      ackFirst.writeRaw(0, `<enable xmlns='${NS_SM}' resume='true'/>`);
      const b = await smRefused;
      assert.equal(b.name, 'failed');
      assert.ok(b.getChild('unexpected-request'), b.toString());
    } finally {
      await Promise.all([smFirst.close(), ackFirst.close()]);
    }
  });

  test('resuming over TCP a session of another account: <failed/>', async () => {
    const alice = await quicLogin(server, 'alice', { resource: 'mine' });
    const raw = await RawXmpp.login({ port: server.ports.c2s, domain: d, username: 'dave', password: 'dave-secret' });
    try {
      raw.write(`<resume xmlns='${NS_ACK}' previd='${alice.ackId}'><lane n='0' h='0'/></resume>`);
      assert.match(await raw.waitFor(/<failed[\s\S]*?<\/failed>|<resumed/), /<failed[\s\S]*item-not-found/);
    } finally {
      raw.destroy();
      await alice.close();
    }
  });
});
