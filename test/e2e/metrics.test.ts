// /metrics on the HTTP port speaks the Prometheus text format, and the counters operators alert on
// move when the matching event happens: a connection, stanzas, a failed login, a parse error.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { metricValue, readMetric, scrapeMetrics } from '../helpers/metrics.ts';
import { RawXmpp, streamErrorCondition } from '../helpers/raw.ts';
import { connectXmppjs, disconnect, loginFailure, send, sync } from '../helpers/xmppjs.ts';

describe('metrics', () => {
  let server: RunningServer;
  const metric = (name: string, labels?: Record<string, string>) => readMetric(server.ports.http, name, labels);

  before(async () => {
    server = await startServer();
    await server.adduser('alice', 'alice-secret');
  });
  after(async () => {
    await server?.stop();
  });

  test('GET /metrics answers in the Prometheus text format and names the parley_ counters', async () => {
    const r = await scrapeMetrics(server.ports.http);
    assert.equal(r.status, 200);
    assert.match(r.contentType, /^text\/plain/);
    for (const name of ['parley_connections_total', 'parley_stanzas_in_total', 'parley_auth_failures_total', 'parley_parse_errors_total']) {
      assert.match(r.text, new RegExp(`^# TYPE ${name} counter$`, 'm'), `no "# TYPE ${name} counter" in:\n${r.text.slice(0, 3000)}`);
    }
  });

  test('parley_connections_total counts a new TCP connection', async () => {
    const before = await metric('parley_connections_total');
    const raw = await RawXmpp.connect({ port: server.ports.c2s, domain: server.domain });
    try {
      await raw.openStream(); // the server has accepted and answered: the connection is counted
      assert.equal(await metric('parley_connections_total'), before + 1);
    } finally {
      raw.destroy();
    }
  });

  test('parley_stanzas_in_total counts the stanzas a client sends', async () => {
    const alice = await connectXmppjs({ port: server.ports.c2s, domain: server.domain, username: 'alice', password: 'alice-secret', mechanism: 'PLAIN' });
    try {
      const before = await metric('parley_stanzas_in_total');
      const messagesBefore = await metric('parley_stanzas_in_total', { kind: 'message' });
      for (let i = 0; i < 3; i++) await send(alice, `<message to="${alice.jid}" type="chat" id="m${i}"><body>${i}</body></message>`);
      await sync(alice, server.domain); // one more stanza (an iq), and all four are processed
      assert.equal(await metric('parley_stanzas_in_total'), before + 4);
      assert.equal(await metric('parley_stanzas_in_total', { kind: 'message' }), messagesBefore + 3);
    } finally {
      await disconnect(alice);
    }
  });

  test('parley_auth_failures_total counts a wrong password', async () => {
    const before = await metric('parley_auth_failures_total');
    const err = await loginFailure({ port: server.ports.c2s, domain: server.domain, username: 'alice', password: 'wrong', mechanism: 'PLAIN' });
    assert.equal(err.condition, 'not-authorized');
    assert.equal(await metric('parley_auth_failures_total'), before + 1);
  });

  test('parley_parse_errors_total counts malformed XML', async () => {
    const before = await metric('parley_parse_errors_total');
    const raw = await RawXmpp.login({ port: server.ports.c2s, domain: server.domain, username: 'alice', password: 'alice-secret', bind: true });
    try {
      raw.write('<message><body>unclosed</message>');
      const text = await raw.waitClosed();
      assert.equal(streamErrorCondition(text), 'not-well-formed');
    } finally {
      raw.destroy();
    }
    const { text } = await scrapeMetrics(server.ports.http);
    assert.equal(metricValue(text, 'parley_parse_errors_total'), before + 1, text.split('\n').filter((l) => l.includes('parse_errors')).join('\n'));
  });
});
