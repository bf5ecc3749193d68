// Brute force against one account (hardening, RFC 6120 §13.12 / §6.5.12): 200 failed logins from
// one address are throttled (answers come late, then temporary-auth-failure without the password
// even being checked), while the owner logging in correctly from another address (127.0.0.2)
// succeeds at once, during the attack and after it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { RawXmpp } from '../helpers/raw.ts';
import { metricValue, scrapeMetrics } from '../helpers/metrics.ts';

const ATTEMPTS = 200;
const PARALLEL = 20;
const PER_STREAM = 3; // the server closes a stream after 3 failures

interface Answer {
  condition: string;
  ms: number;
}

async function attack(server: RunningServer, attempts: number): Promise<Answer[]> {
  const answers: Answer[] = [];
  let next = 0;
  const worker = async () => {
    while (next < attempts) {
      const raw = await RawXmpp.connect({ port: server.ports.c2s, domain: server.domain });
      try {
        await raw.openStream();
        await raw.startTls();
        for (let i = 0; i < PER_STREAM && next < attempts; i++) {
          next++;
          const token = Buffer.from(`\0victim\0guess-${next}`).toString('base64');
          const t0 = performance.now();
          raw.write(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${token}</auth>`);
          const reply = await raw.waitFor(/<success[\s\S]*?(\/>|<\/success>)|<failure[\s\S]*?<\/failure>/, 60_000);
          assert.doesNotMatch(reply, /<success/, 'a wrong password never succeeds');
          answers.push({ condition: /<failure[^>]*>\s*<([a-z-]+)/.exec(reply)?.[1] ?? '?', ms: performance.now() - t0 });
        }
      } finally {
        raw.destroy();
      }
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return answers;
}

async function ownerLogin(server: RunningServer, localAddress: string): Promise<number> {
  const t0 = performance.now();
  const raw = await RawXmpp.login({ port: server.ports.c2s, domain: server.domain, localAddress, username: 'victim', password: 'the-real-one', bind: true });
  const ms = performance.now() - t0;
  raw.end();
  return ms;
}

describe('failed-login throttling', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ config: { c2s: { auth_backoff_base_ms: 100, auth_backoff_max_ms: 2000 } } });
    await server.adduser('victim', 'the-real-one');
  });
  after(async () => {
    await server?.stop();
  });

  test(`${ATTEMPTS} failed logins from 127.0.0.1 are throttled; the owner from 127.0.0.2 gets in at once`, async (t) => {
    const baseline = await ownerLogin(server, '127.0.0.2');
    const flood = attack(server, ATTEMPTS);
    // During the attack, once it is well under way.
    await server.waitForLog(/"delay_ms":2000,"msg":"authentication failed"/, 60_000);
    const during = await ownerLogin(server, '127.0.0.2');
    const answers = await flood;
    const afterwards = await ownerLogin(server, '127.0.0.2');

    const refused = answers.filter((a) => a.condition === 'temporary-auth-failure').length;
    const slow = answers.filter((a) => a.ms >= 1000).length;
    const firstTen = answers.slice(0, 10).reduce((m, a) => Math.max(m, a.ms), 0);
    t.diagnostic(`${answers.length} failed attempts: ${refused} refused with temporary-auth-failure, ${slow} answered after >= 1 s; slowest of the first ten ${firstTen.toFixed(0)} ms`);
    t.diagnostic(`owner login from 127.0.0.2 (TLS + PLAIN + bind): ${baseline.toFixed(0)} ms before, ${during.toFixed(0)} ms during, ${afterwards.toFixed(0)} ms after the attack`);

    assert.equal(answers.length, ATTEMPTS);
    assert.ok(slow >= ATTEMPTS / 2, `most failures should be answered late (got ${slow})`);
    assert.ok(refused >= ATTEMPTS / 2, `most attempts should be refused before the password is checked (got ${refused})`);
    assert.ok(during < 1500, `the owner's login took ${during.toFixed(0)} ms during the attack`);
    assert.ok(afterwards < 1500, `the owner's login took ${afterwards.toFixed(0)} ms after the attack`);

    const m = await scrapeMetrics(server.ports.http);
    assert.ok((metricValue(m.text, 'parley_auth_throttled_total', { scope: 'account' }) ?? 0) > 0);
    assert.ok((metricValue(m.text, 'parley_auth_throttled_total', { scope: 'address' }) ?? 0) > 0);
  });
});
