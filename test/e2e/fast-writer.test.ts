// A client that writes faster than the server can process must be slowed down, not buffered:
// the server reads from a connection only as fast as it handles what it read (TCP back-pressure),
// so its memory stays bounded however much a client sends (RFC 6120 §13.12 resource exhaustion).
// Disconnecting the flooder (e.g. with <policy-violation/>) is an acceptable answer too.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { RawXmpp } from '../helpers/raw.ts';
import { connectXmppjs, disconnect, sync } from '../helpers/xmppjs.ts';

const MiB = 1024 * 1024;
const MAX_WRITE_BYTES = 64 * MiB;
const MAX_WRITE_MS = 15_000;
const RSS_BOUND = 64 * MiB;

describe('fast writer', () => {
  let server: RunningServer;
  const raws: RawXmpp[] = [];

  before(async () => {
    server = await startServer();
    await Promise.all(['writer', 'sink', 'carol'].map((u) => server.adduser(u, `${u}-secret`)));
  });
  after(async () => {
    for (const r of raws) r.destroy();
    await server?.stop();
  });

  test('is held back by TCP back-pressure: server RSS stays within 64 MiB of where it was', async (t) => {
    const d = server.domain;
    const login = async (username: string) => {
      const raw = await RawXmpp.login({ port: server.ports.c2s, domain: d, username, password: `${username}-secret`, bind: true, resource: 'r' });
      raws.push(raw);
      return raw;
    };
    // The recipient reads everything; the writer reads too (errors, if any), it just never waits.
    const sink = await login('sink');
    const writer = await login('writer');

    const message = (i: number) => `<message to="sink@${d}/r" type="chat" id="w${i}"><body>${'y'.repeat(1000)}</body></message>`;
    let chunk = '';
    for (let i = 0; chunk.length < MiB; i++) chunk += message(i);

    const rssBefore = server.rss();
    let rssMax = rssBefore;
    let written = 0;
    const started = Date.now();
    while (written < MAX_WRITE_BYTES && Date.now() - started < MAX_WRITE_MS && !writer.closed) {
      written += await writer.writeAll(chunk);
      rssMax = Math.max(rssMax, server.rss());
    }
    // Whatever the server has read but not yet handled is still in its memory now.
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 200));
      rssMax = Math.max(rssMax, server.rss());
    }
    t.diagnostic(`wrote ${(written / MiB).toFixed(0)} MiB in ${Date.now() - started} ms; writer ${writer.closed ? 'disconnected' : 'still connected'}; recipient received ${(sink.text.length / MiB).toFixed(0)} MiB, ${sink.closed ? 'disconnected' : 'still connected'}`);
    t.diagnostic(`server RSS ${(rssBefore / MiB).toFixed(1)} MiB before, at most ${(rssMax / MiB).toFixed(1)} MiB`);
    writer.destroy();
    assert.ok(rssMax - rssBefore < RSS_BOUND, `server RSS grew by ${((rssMax - rssBefore) / MiB).toFixed(1)} MiB while one client wrote ${(written / MiB).toFixed(0)} MiB (bound ${RSS_BOUND / MiB} MiB)`);

    // And the server still serves others.
    const carol = await connectXmppjs({ port: server.ports.c2s, domain: d, username: 'carol', password: 'carol-secret', mechanism: 'PLAIN' });
    try {
      await sync(carol, d, 60_000);
    } finally {
      await disconnect(carol);
    }
  });
});
