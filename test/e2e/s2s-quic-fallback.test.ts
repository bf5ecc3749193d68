// s2s over QUIC falls back to TCP (specs/quic.md §5): the second server has QUIC off, so the
// first one's QUIC handshake gets no answer; TCP starts after 250 ms (happy eyeballs), the message
// arrives well before the 3 s QUIC timeout, and once that timeout passes the domain is remembered
// as "QUIC broken" (the next stream goes straight to TCP).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connectSide, closeAll } from '../helpers/federation.ts';
import { expectStanza, send, type Client } from '../helpers/xmppjs.ts';
import type { RunningServer } from '../helpers/server.ts';
import { readMetric } from '../helpers/metrics.ts';
import { D1, D2, readyLines, startQuicPair } from '../helpers/s2s-quic.ts';

describe('s2s over QUIC: fallback to TCP', () => {
  let s1: RunningServer;
  let s2: RunningServer;
  let a: Client | undefined;
  let b: Client | undefined;

  before(async () => {
    ({ a: s1, b: s2 } = await startQuicPair({ auth: 'dialback', lanes: 8, quicOnB: false, fallbackDelayMs: 250 }));
    await s1.adduser('alice', 'pw');
    await s2.adduser('bob', 'pw');
    a = await connectSide({ domain: D1, port: s1.ports.c2s, user: 'alice', password: 'pw' });
    b = await connectSide({ domain: D2, port: s2.ports.c2s, user: 'bob', password: 'pw' });
  });

  after(async () => {
    await closeAll(a, b);
    await s1?.stop();
    await s2?.stop();
  });

  test('the peer without QUIC: TCP within the happy-eyeballs window, message delivered', async () => {
    const started = Date.now();
    await send(a!, `<message to="bob@${D2}" type="chat"><body>over whatever works</body></message>`);
    await expectStanza(b!, '<message type="chat"><body>over whatever works</body></message>', 10_000);
    const took = Date.now() - started;
    // Dialback needs a second stream back from two.parley.test (TCP: it has QUIC off); all of it
    // stays below the 3 s after which the QUIC attempt would give up.
    assert.ok(took < 2500, `delivered in ${took} ms, before the QUIC hard timeout`);
    const ready = readyLines(s1);
    assert.equal(ready.length, 1);
    assert.equal(ready[0].via, 'tcp');
    assert.equal(await readMetric(s1.ports.http, 'parley_s2s_quic_total', { direction: 'out', event: 'tcp_fallback' }), 1);
  });

  test('after the 3 s QUIC timeout the domain is marked QUIC-broken', async () => {
    await s1.waitForLog(/only TCP for this domain for 24 h/, 6000);
    assert.equal(await readMetric(s1.ports.http, 'parley_s2s_quic_total', { direction: 'out', event: 'quic_failed' }), 1);
    assert.equal(await readMetric(s1.ports.http, 'parley_s2s_quic_total', { direction: 'out', event: 'connected' }), 0);
  });
});
