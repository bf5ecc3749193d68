// XEP-0313 §6.1.1: a message is stored in an archive once, however often it travels. Here a
// message delivered to a stream-management session that is never acknowledged is handed on again
// by XEP-0198 (to offline storage); the archive keeps one copy, and the stanza-id stays the same.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { RawXmpp } from '../helpers/raw.ts';
import { smClient } from '../helpers/sm-raw.ts';
import { connectXmppjs, disconnect, expectStanza, send, type Client } from '../helpers/xmppjs.ts';
import { mamQuery, stanzaIds } from '../helpers/mam.ts';

describe('MAM: archived once', () => {
  let server: RunningServer;
  const raws: RawXmpp[] = [];
  const clients: Client[] = [];
  let d: string;

  before(async () => {
    server = await startServer();
    d = server.domain;
    await Promise.all(['alice', 'erin'].map((u) => server.adduser(u, `${u}-secret`)));
  });
  after(async () => {
    for (const r of raws) r.destroy();
    await Promise.all(clients.map(disconnect));
    await server?.stop();
  });

  test('a message re-routed by stream management after a lost connection is archived once, with one stanza-id', async () => {
    const alice = await connectXmppjs({ port: server.ports.c2s, domain: d, username: 'alice', password: 'alice-secret', mechanism: 'PLAIN' });
    clients.push(alice);
    const { raw: erin } = await smClient({ port: server.ports.c2s, domain: d, username: 'erin', password: 'erin-secret', resource: 'gone', max: 1 });
    raws.push(erin);
    erin.write(`<presence><priority>1</priority></presence>`);
    await send(alice, `<message to='erin@${d}/gone' type='chat' id='twice'><body>once only</body></message>`);
    const seen = await erin.waitFor(/<message[\s\S]*?id=["']twice["'][\s\S]*?<\/message>/);
    const stamped = /<stanza-id[^>]*\sid=["']([^"']+)["']/.exec(seen.slice(seen.lastIndexOf('<message')))?.[1];
    assert.ok(stamped, `a stanza-id on the delivered message: ${seen.slice(-500)}`);
    erin.destroy(); // never acknowledged: XEP-0198 hands it on once the session times out
    await server.waitForLog(/"msg":"handing on unacknowledged stanzas"/, 15_000);

    const later = await connectXmppjs({ port: server.ports.c2s, domain: d, username: 'erin', password: 'erin-secret', mechanism: 'PLAIN', resource: 'later' });
    clients.push(later);
    await send(later, '<presence/>');
    // With offline storage the copy arrives again, carrying the same archive id.
    const again = await expectStanza(later, `<message id='twice'><body>once only</body></message>`, 5000).catch(() => null);
    if (again) assert.deepEqual(stanzaIds(again).map((s) => s.id), [stamped]);
    const { results } = await mamQuery(later, { with: `alice@${d}` });
    assert.deepEqual(results.map((r) => r.id), [stamped]);
  });
});
