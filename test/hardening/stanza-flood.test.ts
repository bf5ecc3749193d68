// Stanza rate limits on a client stream (stream/limits.ts): a burst past the rate gets
// <policy-violation/> stanza errors of type wait and the stream goes on; a client that keeps
// flooding gets the <policy-violation/> stream error. Another session stays responsive throughout.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { RawXmpp, streamErrorCondition } from '../helpers/raw.ts';
import { metricValue, scrapeMetrics } from '../helpers/metrics.ts';

const RATE = 20;
const BURST = 50;

async function pingRtt(raw: RawXmpp, domain: string, id: string): Promise<number> {
  const t0 = performance.now();
  raw.write(`<iq type='get' id='${id}' to='${domain}'><ping xmlns='urn:xmpp:ping'/></iq>`);
  await raw.waitFor(new RegExp(`<iq[^>]*id=["']${id}["'][^>]*type=["']result["']|<iq[^>]*type=["']result["'][^>]*id=["']${id}["']`), 5000);
  return performance.now() - t0;
}

const count = (text: string, re: RegExp) => (text.match(re) ?? []).length;

describe('stanza flood', () => {
  let server: RunningServer;
  const raws: RawXmpp[] = [];
  const login = async (username: string) => {
    const raw = await RawXmpp.login({ port: server.ports.c2s, domain: server.domain, username, password: `${username}-pw`, bind: true, resource: 'r' });
    raws.push(raw);
    return raw;
  };

  before(async () => {
    server = await startServer({ config: { c2s: { stanza_rate: RATE, stanza_burst: BURST } } });
    await Promise.all(['flooder', 'sink', 'bystander'].map((u) => server.adduser(u, `${u}-pw`)));
  });
  after(async () => {
    for (const r of raws) r.destroy();
    await server?.stop();
  });

  test('a burst past the rate: stanza errors of type wait, the stream stays up', async (t) => {
    const d = server.domain;
    const sink = await login('sink');
    const burster = await login('flooder');
    const n = BURST + 20;
    let batch = '';
    for (let i = 0; i < n; i++) batch += `<message to='sink@${d}/r' id='b${i}' type='chat'><body>${i}</body></message>`;
    burster.write(batch);
    await burster.waitFor(`id="b${n - 1}"`, 10_000);
    await new Promise((r) => setTimeout(r, 300));
    const errors = count(burster.text, /<policy-violation xmlns=["']urn:ietf:params:xml:ns:xmpp-stanzas["']/g);
    const waitErrors = count(burster.text, /<error type="wait"><policy-violation/g);
    const delivered = count(sink.text, /<message /g);
    t.diagnostic(`${n} messages at once (rate ${RATE}/s, burst ${BURST}): ${delivered} delivered, ${errors} refused with policy-violation`);
    assert.equal(errors, waitErrors, 'policy-violation errors are of type wait');
    // The bind iq counted against the burst too.
    assert.ok(errors >= n - BURST && errors <= n - BURST + 2, `about ${n - BURST} refusals, got ${errors}`);
    assert.equal(delivered + errors, n, 'every message is either delivered or refused');
    assert.equal(burster.closed, false);
    // After the debt is paid the stream works normally.
    await new Promise((r) => setTimeout(r, (n - BURST) * (1000 / RATE) + 500));
    await pingRtt(burster, d, 'after-burst');
    burster.end();
    sink.end();
  });

  test('a sustained flood: policy-violation stream error; another session keeps answering pings', async (t) => {
    const d = server.domain;
    const bystander = await login('bystander');
    const flooder = await login('flooder');
    const rtts: number[] = [await pingRtt(bystander, d, 'p0')];
    let stop = false;
    const pinger = (async () => {
      for (let i = 1; !stop && i < 200; i++) {
        rtts.push(await pingRtt(bystander, d, `p${i}`));
        await new Promise((r) => setTimeout(r, 100)); // 10/s: within the rate the bystander is held to
      }
    })();
    let batch = '';
    for (let i = 0; i < 200; i++) batch += `<message to='bystander@${d}/r' id='f${i}' type='chat'><body>${'x'.repeat(200)}</body></message>`;
    const started = Date.now();
    while (!flooder.closed && Date.now() - started < 10_000) await flooder.writeAll(batch);
    const text = await flooder.waitClosed(10_000);
    stop = true;
    await pinger;
    const condition = streamErrorCondition(text);
    t.diagnostic(`flooder closed after ${Date.now() - started} ms with <${condition}/>; bystander ping RTT max ${Math.max(...rtts).toFixed(1)} ms over ${rtts.length} pings`);
    assert.equal(condition, 'policy-violation');
    assert.ok(Math.max(...rtts) < 1000, `bystander pings stayed fast (max ${Math.max(...rtts).toFixed(0)} ms)`);
    assert.ok(count(bystander.text, /<message /g) <= BURST + 5, 'the flood did not reach the bystander past the burst');
    await pingRtt(bystander, d, 'final');

    const m = await scrapeMetrics(server.ports.http);
    assert.ok((metricValue(m.text, 'parley_rate_limited_total', { direction: 'c2s', limit: 'stanzas', action: 'refused' }) ?? 0) > 0);
    assert.equal(metricValue(m.text, 'parley_rate_limited_total', { direction: 'c2s', limit: 'stanzas', action: 'closed' }), 1);
    await server.waitForLog(/client kept flooding past its stanza rate/);
  });
});
