// A client that stops reading must not make the server buffer without limit: once its outbound
// queue passes c2s.max_outbound_queue_bytes the server disconnects it (RFC 6120 §13.12 resource
// exhaustion), memory stays bounded, and the client that caused the traffic is unaffected.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { RawXmpp } from '../helpers/raw.ts';
import { readMetric } from '../helpers/metrics.ts';
import { connectXmppjs, disconnect, expectStanza, send, sync, type Client } from '../helpers/xmppjs.ts';

const MiB = 1024 * 1024;
const QUEUE_LIMIT = 1 * MiB;
const BODY_BYTES = 32 * 1024;
const BATCH = 32; // 1 MiB between round trips
const MAX_MESSAGES = 20_000;
const MAX_FLOOD_BYTES = 256 * MiB;
const MAX_FLOOD_MS = 30_000;
const RSS_BOUND = 64 * MiB;
const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';

describe('slow reader', () => {
  let server: RunningServer;
  const clients: Client[] = [];
  let slow: RawXmpp | undefined;

  before(async () => {
    server = await startServer({ config: { c2s: { max_outbound_queue_bytes: QUEUE_LIMIT } } });
    await Promise.all(['slow', 'flood', 'watcher'].map((u) => server.adduser(u, `${u}-secret`)));
  });
  after(async () => {
    slow?.destroy();
    await Promise.all(clients.map(disconnect));
    await server?.stop();
  });

  test('is disconnected while the flooding client keeps working, with RSS bounded', async (t) => {
    const d = server.domain;
    slow = await RawXmpp.login({ port: server.ports.c2s, domain: d, username: 'slow', password: 'slow-secret', bind: true, resource: 'slow' });
    const slowJid = `slow@${d}/slow`;
    const login = (u: string) => connectXmppjs({ port: server.ports.c2s, domain: d, username: u, password: `${u}-secret`, mechanism: 'PLAIN', resource: 'r' });
    const flood = await login('flood');
    const watcher = await login('watcher');
    clients.push(flood, watcher);

    // The slow client now stops reading: kernel buffers fill, then the server's queue grows.
    slow.pause();
    const rssBefore = server.rss();
    let rssMax = rssBefore;
    const disconnectsBefore = await readMetric(server.ports.http, 'parley_slow_consumer_disconnects_total');
    // Large messages, so per-stanza costs (archiving, hooks) do not decide how long this takes, and a
    // round trip every BATCH messages, so the flooder never runs far ahead of what the server has
    // processed: what is measured is the slow reader's queue, not the flooder's backlog.
    const body = 'x'.repeat(BODY_BYTES);
    const started = Date.now();
    let sent = 0;
    let serverGaveUp = false;
    while (sent < MAX_MESSAGES && sent * BODY_BYTES < MAX_FLOOD_BYTES && Date.now() - started < MAX_FLOOD_MS) {
      await send(flood, `<message to="${slowJid}" type="chat" id="f${sent}"><body>${body}</body></message>`);
      sent++;
      if (sent % BATCH === 0) {
        await sync(flood, d, 30_000);
        rssMax = Math.max(rssMax, server.rss());
        // The metric only decides when to stop flooding; the verdict comes from the protocol below.
        if ((await readMetric(server.ports.http, 'parley_slow_consumer_disconnects_total')) > disconnectsBefore) {
          serverGaveUp = true;
          break;
        }
      }
    }
    rssMax = Math.max(rssMax, server.rss());
    t.diagnostic(`flooded ${sent} messages (${((sent * BODY_BYTES) / MiB).toFixed(0)} MiB) in ${Date.now() - started} ms; server counted a slow-consumer disconnect: ${serverGaveUp}`);
    t.diagnostic(`RSS ${(rssBefore / MiB).toFixed(1)} MiB before, at most ${(rssMax / MiB).toFixed(1)} MiB during the flood`);

    // RFC 6121 §8.5.3.2.2: once the session is gone, an iq to its full JID gets service-unavailable.
    // (Were it still there, the ping would sit in its queue and nothing would come back.)
    await send(flood, `<iq type="get" to="${slowJid}" id="is-slow-there"><ping xmlns="urn:xmpp:ping"/></iq>`);
    await expectStanza(flood, `<iq type="error" id="is-slow-there"><error type="cancel"><service-unavailable xmlns="${STANZAS}"/></error></iq>`, 15_000);

    // Reading again, the slow client gets what the kernel still held, then the end of the connection.
    slow.resume();
    await slow.waitClosed(15_000);
    const delivered = (slow.text.match(/<message /g) ?? []).length;
    assert.ok(delivered < sent, `the slow client received all ${sent} messages: it was not cut off`);

    assert.ok(rssMax - rssBefore < RSS_BOUND, `server RSS grew by ${((rssMax - rssBefore) / MiB).toFixed(1)} MiB while one reader was stuck (bound ${RSS_BOUND / MiB} MiB)`);

    // The flooding client is still connected and served.
    await sync(flood, d);
    await send(flood, `<message to="${watcher.jid}" type="chat" id="after-flood"><body>still here</body></message>`);
    await expectStanza(watcher, `<message from="${flood.jid}" id="after-flood"><body>still here</body></message>`);
  });
});
