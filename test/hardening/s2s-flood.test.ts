// Stanza rate limit per s2s peer (net/rate-limit-peers.ts, stream/limits.ts): a remote server
// sending past its burst gets <policy-violation/> errors of type wait back for the stanzas over
// the limit, which are not delivered; the ones within the burst are.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, testCert, testKey, type RunningServer } from '../helpers/server.ts';
import { freePorts } from '../helpers/ports.ts';
import { RawXmpp } from '../helpers/raw.ts';
import { metricValue, scrapeMetrics } from '../helpers/metrics.ts';

const BURST = 20;
const SENT = 35;

describe('s2s stanza flood', () => {
  const d1 = 'one.parley.test';
  const d2 = 'two.parley.test';
  let s1: RunningServer;
  let s2: RunningServer;
  const raws: RawXmpp[] = [];
  before(async () => {
    const tls = { certificate: testCert, key: testKey };
    const [p1, p2] = await freePorts(2);
    s1 = await startServer({ domains: [d1], config: { tls, s2s: { port: p1, routes: { [d2]: `127.0.0.1:${p2}` } } } });
    s2 = await startServer({ domains: [d2], config: { tls, s2s: { port: p2, routes: { [d1]: `127.0.0.1:${p1}` }, stanza_rate: 1, stanza_burst: BURST } } });
    await s1.adduser('alice', 'pw-alice');
    await s2.adduser('bob', 'pw-bob');
  });
  after(async () => {
    for (const r of raws) r.destroy();
    await s1?.stop();
    await s2?.stop();
  });

  test(`${SENT} messages at once to a peer allowing a burst of ${BURST}`, async (t) => {
    const alice = await RawXmpp.login({ port: s1.ports.c2s, domain: d1, username: 'alice', password: 'pw-alice', bind: true, resource: 'a' });
    const bob = await RawXmpp.login({ port: s2.ports.c2s, domain: d2, username: 'bob', password: 'pw-bob', bind: true, resource: 'b' });
    raws.push(alice, bob);
    bob.write('<presence/>');
    let batch = '';
    for (let i = 0; i < SENT; i++) batch += `<message to='bob@${d2}/b' type='chat' id='f${i}'><body>f${i}</body></message>`;
    alice.write(batch);
    const errors = () => (alice.text.match(/<policy-violation xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"\/>/g) ?? []).length;
    const delivered = () => (bob.text.match(/<body>f\d+<\/body>/g) ?? []).length;
    const deadline = Date.now() + 20_000;
    while (errors() + delivered() < SENT && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    t.diagnostic(`${delivered()} delivered, ${errors()} refused with policy-violation (burst ${BURST}, 1 stanza/s)`);
    assert.ok(delivered() >= BURST - 1 && delivered() <= BURST + 2, `about ${BURST} delivered, got ${delivered()}`);
    assert.equal(errors() + delivered(), SENT, 'every message is delivered or refused');
    assert.match(alice.text, /<message[^>]*type="error"[^>]*>[\s\S]*?<error type="wait"><policy-violation/);
    const m = await scrapeMetrics(s2.ports.http);
    assert.equal(metricValue(m.text, 'parley_rate_limited_total', { direction: 's2s', limit: 'stanzas', action: 'refused' }), errors());
  });
});
