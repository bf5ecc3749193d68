// s2s over QUIC with Parley's mux (docs/quic.md §8): two Parley servers, many conversations at
// once; each conversation arrives in order, lanes beyond lane 0 really carry them (counted by the
// receiving server's metrics), and a peer that announces a bad lane gets policy-violation and
// loses the QUIC connection.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connectSide, closeAll } from '../helpers/federation.ts';
import { expectStanza, received, send, type Client } from '../helpers/xmppjs.ts';
import type { RunningServer } from '../helpers/server.ts';
import { metricValue, scrapeMetrics } from '../helpers/metrics.ts';
import { D1, D2, readyLines, startQuicPair } from '../helpers/s2s-quic.ts';
import { rawMuxPeer, rawS2SStream } from '../helpers/s2s-quic-raw.ts';

const SENDERS = 3;
const RECEIVERS = 2;
const PER_CONVERSATION = 25;
const NS_MUX = 'urn:xmpp:quic-mux:0';

/** Samples of a lane counter by lane number. */
async function laneCounts(s: RunningServer, direction: 'in' | 'out'): Promise<Map<string, number>> {
  const { text } = await scrapeMetrics(s.ports.http);
  const out = new Map<string, number>();
  for (let n = 0; n < 16; n++) {
    const v = metricValue(text, 'parley_s2s_quic_lane_stanzas_total', { direction, lane: String(n) });
    if (v) out.set(String(n), v);
  }
  return out;
}

describe('Parley to Parley over QUIC with mux lanes', () => {
  let s1: RunningServer;
  let s2: RunningServer;
  let quicPortB = 0;
  const senders: Client[] = [];
  const receivers: Client[] = [];

  before(async () => {
    ({ a: s1, b: s2, quicPortB } = await startQuicPair({ auth: 'external', lanes: 8 }));
    for (let i = 0; i < SENDERS; i++) await s1.adduser(`alice${i}`, 'pw');
    for (let j = 0; j < RECEIVERS; j++) await s2.adduser(`bob${j}`, 'pw');
    for (let i = 0; i < SENDERS; i++) senders.push(await connectSide({ domain: D1, port: s1.ports.c2s, user: `alice${i}`, password: 'pw' }));
    for (let j = 0; j < RECEIVERS; j++) receivers.push(await connectSide({ domain: D2, port: s2.ports.c2s, user: `bob${j}`, password: 'pw' }));
  });

  after(async () => {
    await closeAll(...senders, ...receivers);
    await s1?.stop();
    await s2?.stop();
  });

  test('many conversations at once: each in order, spread over lanes', async (t) => {
    // Interleaved: round k sends message k of every conversation, without waiting in between.
    const sends: Promise<void>[] = [];
    for (let k = 0; k < PER_CONVERSATION; k++) {
      for (let i = 0; i < SENDERS; i++) {
        for (let j = 0; j < RECEIVERS; j++) sends.push(send(senders[i], `<message to="bob${j}@${D2}" type="chat"><body>c${i}-${j} #${k}</body></message>`));
      }
    }
    await Promise.all(sends);
    for (let j = 0; j < RECEIVERS; j++) {
      for (let i = 0; i < SENDERS; i++) await expectStanza(receivers[j], `<message type="chat"><body>c${i}-${j} #${PER_CONVERSATION - 1}</body></message>`, 30_000);
    }
    for (let j = 0; j < RECEIVERS; j++) {
      const bodies = received(receivers[j]).filter((el) => el.name === 'message').map((el) => el.getChildText('body') ?? '');
      for (let i = 0; i < SENDERS; i++) {
        const seq = bodies.filter((b) => b.startsWith(`c${i}-${j} #`)).map((b) => Number(b.split('#')[1]));
        assert.deepEqual(seq, Array.from({ length: PER_CONVERSATION }, (_, k) => k), `conversation alice${i} -> bob${j} in order`);
      }
    }
    const ready = readyLines(s1);
    assert.ok(ready.length > 0 && ready.every((r) => r.via === 'quic'), 'one.parley.test sent over QUIC');
    const outA = await laneCounts(s1, 'out');
    const inB = await laneCounts(s2, 'in');
    const lanesUsed = [...inB.keys()].filter((n) => n !== '0');
    t.diagnostic(`stanzas per lane received by ${D2}: ${JSON.stringify(Object.fromEntries(inB))}`);
    assert.ok(lanesUsed.length >= 1, `the receiving server counted stanzas on lanes beyond 0: ${JSON.stringify([...inB])}`);
    const total = (m: Map<string, number>) => [...m.values()].reduce((x, y) => x + y, 0);
    assert.ok(total(inB) >= SENDERS * RECEIVERS * PER_CONVERSATION, `every message counted in: ${JSON.stringify([...inB])}`);
    assert.equal(total(outA), total(inB), `sent and received per-lane totals agree: out ${JSON.stringify([...outA])} in ${JSON.stringify([...inB])}`);
    for (const n of lanesUsed) assert.equal(outA.get(n), inB.get(n), `lane ${n}: as many in as out`);
  });

  test('a bulk conversation does not hold up another one (head-of-line blocking)', async (t) => {
    // Judged at the receiving server's s2s layer (its per-lane counters), not at the clients:
    // when the short message has been delivered, part of the bulk must still be in flight between
    // the servers. On one stream (quic_lanes = 1) it would have waited behind all of it.
    const sum = (m: Map<string, number>) => [...m.values()].reduce((x, y) => x + y, 0);
    const inTotal = async () => sum(await laneCounts(s2, 'in'));
    const outTotal = async () => sum(await laneCounts(s1, 'out'));
    const base = await inTotal();
    const baseOut = await outTotal();
    const chunk = 'x'.repeat(60 * 1024);
    const BULK = 96;
    const sends: Promise<void>[] = [];
    for (let k = 0; k < BULK; k++) sends.push(send(senders[0], `<message to="bob0@${D2}" type="chat"><body>bulk #${k} ${chunk}</body></message>`));
    await Promise.all(sends);
    // The whole bulk is in one.parley.test's s2s lanes before the short message is sent.
    for (const until = Date.now() + 10_000; Date.now() < until && (await outTotal()) - baseOut < BULK; ) await new Promise((r) => setTimeout(r, 50));
    const chatSent = Date.now();
    await send(senders[1], `<message to="bob1@${D2}" type="chat"><body>short one</body></message>`);
    await expectStanza(receivers[1], '<message type="chat"><body>short one</body></message>', 60_000);
    const arrivedBefore = (await inTotal()) - base - 1;
    t.diagnostic(`short message delivered after ${Date.now() - chatSent} ms; by then ${D2} had received ${arrivedBefore} of ${BULK} bulk stanzas`);
    assert.ok(arrivedBefore < BULK, `the short message overtook the bulk between the servers (${arrivedBefore} of ${BULK} bulk stanzas had arrived)`);
    await expectStanza(receivers[0], (el) => el.name === 'message' && el.getChildText('body')?.startsWith(`bulk #${BULK - 1} `) === true, 120_000);
  });

  test('features on a QUIC s2s stream: no STARTTLS, EXTERNAL, quic-ack and mux; enabling before authentication is refused', async () => {
    const peer = await rawS2SStream(quicPortB, 'three.parley.test', D2);
    try {
      const f = peer.features;
      assert.equal(f.getChild('starttls'), undefined, 'no STARTTLS inside QUIC (XEP-0467)');
      assert.deepEqual(f.getChild('mechanisms')?.getChildren('mechanism').map((m) => m.getText()), ['EXTERNAL']);
      assert.ok(f.getChild('ack', 'urn:xmpp:quic-ack:0'));
      assert.equal(f.getChild('mux', NS_MUX)?.attrs.lanes, '16');
      await peer.lane0.write('<enable xmlns="urn:xmpp:quic-ack:0"/>');
      const err = await peer.got.next((el) => el.name === 'stream:error');
      assert.ok(err.getChild('not-authorized', 'urn:ietf:params:xml:ns:xmpp-streams'), err.toString());
    } finally {
      await peer.destroy();
    }
  });

  test('mux before quic-ack: policy-violation', async () => {
    const peer = await rawS2SStream(quicPortB, 'three.parley.test', D2);
    try {
      await peer.authenticate();
      await peer.lane0.write(`<mux xmlns="${NS_MUX}" lanes="4"/>`);
      const err = await peer.got.next((el) => el.name === 'stream:error');
      assert.ok(err.getChild('policy-violation', 'urn:ietf:params:xml:ns:xmpp-streams'), err.toString());
    } finally {
      await peer.destroy();
    }
  });

  const violations: Array<{ name: string; lane: (sid: string, lanes: number) => string[]; cond: string }> = [
    { name: 'an unknown sid', lane: () => [`<lane xmlns="${NS_MUX}" sid="no-such-sid" n="1"/>`], cond: 'unknown-sid' },
    { name: 'n outside the negotiated lanes', lane: (sid, lanes) => [`<lane xmlns="${NS_MUX}" sid="${sid}" n="${lanes}"/>`], cond: 'bad-lane' },
    { name: 'a lane number used twice', lane: (sid) => [`<lane xmlns="${NS_MUX}" sid="${sid}" n="1"/>`, `<lane xmlns="${NS_MUX}" sid="${sid}" n="1"/>`], cond: 'bad-lane' },
    { name: 'a domain-to-domain stanza on a lane', lane: (sid) => [`<lane xmlns="${NS_MUX}" sid="${sid}" n="1"/><iq type="get" id="p1" from="three.parley.test" to="${D2}"><ping xmlns="urn:xmpp:ping"/></iq>`], cond: 'wrong-lane' },
  ];
  for (const v of violations) {
    test(`a lane with ${v.name}: policy-violation, connection closed`, async () => {
      const peer = await rawMuxPeer(quicPortB, 'three.parley.test', D2, 4);
      try {
        assert.equal(peer.lanes, 4);
        const opened = [];
        for (const first of v.lane(peer.sid, peer.lanes)) {
          opened.push(peer.openLane(first));
          await new Promise((r) => setTimeout(r, 150));
        }
        const last = opened[opened.length - 1];
        const err = await last.got.next((el) => el.name === 'stream:error');
        assert.ok(err.getChild('policy-violation', 'urn:ietf:params:xml:ns:xmpp-streams'), err.toString());
        assert.ok(err.getChild(v.cond, NS_MUX), `application condition ${v.cond}: ${err.toString()}`);
        await Promise.race([peer.closed, new Promise((_, rej) => setTimeout(() => rej(new Error('QUIC connection not closed')), 5000))]);
      } finally {
        await peer.destroy();
      }
    });
  }
});
