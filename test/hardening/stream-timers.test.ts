// Client stream deadlines (src/stream/c2s.ts): the authentication deadline, whitespace keepalives
// and the idle timeout, which run on one shared sweeper for all streams (src/stream/sweeper.ts)
// rather than timers of each stream. Real server, raw client over STARTTLS.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { RawXmpp, streamErrorCondition } from '../helpers/raw.ts';

describe('client stream deadlines', () => {
  let server: RunningServer;

  before(async () => {
    server = await startServer({ config: { c2s: { auth_timeout: 2, keepalive_interval: 1, idle_timeout: 4 } } });
    await server.adduser('idler', 'idler-secret');
  });
  after(async () => {
    await server?.stop();
  });

  test('a stream that does not authenticate gets connection-timeout after auth_timeout', async () => {
    const raw = await RawXmpp.connect({ port: server.ports.c2s, domain: server.domain });
    try {
      const t0 = Date.now();
      await raw.openStream();
      await raw.startTls();
      const text = await raw.waitClosed(15_000);
      assert.equal(streamErrorCondition(text), 'connection-timeout');
      assert.match(text, /Authentication took too long/);
      assert.ok(Date.now() - t0 >= 1900, `closed after ${Date.now() - t0} ms, before auth_timeout`);
    } finally {
      raw.destroy();
    }
  });

  test('a bound, silent stream gets whitespace keepalives, then connection-timeout after idle_timeout', async () => {
    const raw = await RawXmpp.login({ port: server.ports.c2s, domain: server.domain, username: 'idler', password: 'idler-secret', bind: true });
    try {
      const bound = raw.text.length;
      const t0 = Date.now();
      const text = await raw.waitClosed(20_000);
      const after = text.slice(bound);
      // Keepalives (RFC 6120 §4.6.1) come before the error: whitespace between the bind result and it.
      assert.match(after, /^\s+<stream:error[\s>]/, `expected whitespace then the stream error, got ${JSON.stringify(after.slice(0, 200))}`);
      assert.equal(streamErrorCondition(after), 'connection-timeout');
      assert.match(after, /Idle for too long/);
      // Not the authentication deadline (2 s): the bound stream was left alone until it had been idle.
      assert.ok(Date.now() - t0 >= 3000, `closed after ${Date.now() - t0} ms, before idle_timeout`);
    } finally {
      raw.destroy();
    }
  });
});
