// Two Parley servers federating over QUIC in single-stream mode (plain XEP-0467, ALPN
// xmpp-server): messages both ways and presence subscription, authenticated by dialback
// (self-signed certificates) and by SASL EXTERNAL (CA-issued), with no TCP stream used.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connectSide, exchangeMessages, mutualSubscription, closeAll } from '../helpers/federation.ts';
import type { Client } from '../helpers/xmppjs.ts';
import type { RunningServer } from '../helpers/server.ts';
import { readMetric } from '../helpers/metrics.ts';
import { D1, D2, readyLines, startQuicPair } from '../helpers/s2s-quic.ts';

for (const mode of ['dialback', 'external'] as const) {
  describe(`Parley to Parley over QUIC, single stream (${mode})`, () => {
    let s1: RunningServer;
    let s2: RunningServer;
    let a: Client | undefined;
    let b: Client | undefined;

    before(async () => {
      ({ a: s1, b: s2 } = await startQuicPair({ auth: mode, lanes: 1 }));
      await s1.adduser('alice', 'pw-alice');
      await s2.adduser('bob', 'pw-bob');
      a = await connectSide({ domain: D1, port: s1.ports.c2s, user: 'alice', password: 'pw-alice' });
      b = await connectSide({ domain: D2, port: s2.ports.c2s, user: 'bob', password: 'pw-bob' });
    });

    after(async () => {
      await closeAll(a, b);
      await s1?.stop();
      await s2?.stop();
    });

    test('messages flow both ways over QUIC', async () => {
      await exchangeMessages(a!, `alice@${D1}`, b!, `bob@${D2}`);
      for (const s of [s1, s2]) {
        const ready = readyLines(s);
        assert.ok(ready.length > 0, `${s.domain} has an outgoing stream`);
        for (const r of ready) {
          assert.equal(r.via, 'quic', `${s.domain} went over QUIC: ${JSON.stringify(r)}`);
          assert.equal(r.method, mode);
        }
        assert.ok((await readMetric(s.ports.http, 'parley_s2s_quic_total', { direction: 'out', event: 'connected' })) >= 1);
        assert.ok((await readMetric(s.ports.http, 'parley_s2s_quic_total', { direction: 'in', event: 'connected' })) >= 1);
        // Single-stream mode: stanzas arrive on the stream itself (lane 0), never on another lane.
        const lane0 = await readMetric(s.ports.http, 'parley_s2s_quic_lane_stanzas_total', { direction: 'in', lane: '0' });
        assert.ok(lane0 >= 1, `${s.domain} received over QUIC`);
        assert.equal(await readMetric(s.ports.http, 'parley_s2s_quic_lane_stanzas_total'), lane0);
      }
    });

    test('presence subscription both ways over QUIC', async () => {
      await mutualSubscription(a!, `alice@${D1}`, b!, `bob@${D2}`);
      for (const s of [s1, s2]) assert.ok(readyLines(s).every((r) => r.via === 'quic'));
    });
  });
}
