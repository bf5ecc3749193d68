// XEP-0313 with slixmpp (a second, independent client): stanza-ids on delivered messages match
// the archive, RSM paging both ways and slixmpp's own result-set iterator, and the 'with' filter.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { skipUnless } from '../helpers/services.ts';
import { connectXmppjs, disconnect, send, sync } from '../helpers/xmppjs.ts';
import { runSlixMam } from '../helpers/slixmpp-mam.ts';

interface Page { ids: string[]; bodies: string[]; complete: string | null }

describe('MAM with slixmpp', { skip: skipUnless('slixmpp') }, () => {
  let server: RunningServer;

  before(async () => {
    server = await startServer();
    await Promise.all(['alice', 'bob', 'carol'].map((u) => server.adduser(u, `${u}-secret`)));
  });
  after(async () => {
    await server?.stop();
  });

  test('7 messages: stanza-ids match the archive; max=2 pages forwards and backwards; iterator; with', async () => {
    const d = server.domain;
    const bob = runSlixMam({ port: server.ports.c2s, jid: `bob@${d}/slix`, password: 'bob-secret', waitMessages: 7, withJid: `carol@${d}` });
    const alice = await connectXmppjs({ port: server.ports.c2s, domain: d, username: 'alice', password: 'alice-secret', mechanism: 'PLAIN' });
    const carol = await connectXmppjs({ port: server.ports.c2s, domain: d, username: 'carol', password: 'carol-secret', mechanism: 'PLAIN' });
    try {
      await bob.waitForEvent('ready');
      const senders = [alice, alice, carol, alice, alice, carol, alice];
      for (const [i, c] of senders.entries()) {
        await send(c, `<message to="bob@${d}/slix" type="chat" id="s${i + 1}"><body>n${i + 1}</body></message>`);
        await sync(c, d); // one after the other, so the archive order is the sending order
      }
      await bob.waitForEvent('done', 30_000);
      assert.equal(await bob.exited, 0, bob.transcript());

      const delivered = bob.events.filter((e) => e.event === 'message') as unknown as Array<{ body: string; stanza_ids: Array<{ by: string; id: string }> }>;
      assert.deepEqual(delivered.map((m) => m.body), ['n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7']);
      for (const m of delivered) assert.deepEqual(m.stanza_ids.map((s) => s.by), [`bob@${d}`], bob.transcript());
      const stamped = delivered.map((m) => m.stanza_ids[0].id);

      const forward = (bob.events.find((e) => e.event === 'forward')!.pages as Page[]);
      assert.deepEqual(forward.map((p) => p.bodies.length), [2, 2, 2, 1], bob.transcript());
      assert.deepEqual(forward.map((p) => p.complete), ['false', 'false', 'false', 'true']);
      assert.deepEqual(forward.flatMap((p) => p.ids), stamped);

      const backward = (bob.events.find((e) => e.event === 'backward')!.pages as Page[]);
      assert.deepEqual(backward.map((p) => p.bodies), [['n6', 'n7'], ['n4', 'n5'], ['n2', 'n3'], ['n1']], bob.transcript());
      assert.deepEqual(backward.map((p) => p.complete), ['false', 'false', 'false', 'true']);

      // slixmpp's iterator stops on RSM count and first index: both must be right.
      assert.deepEqual(bob.events.find((e) => e.event === 'iterated')!.bodies, ['n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7']);
      assert.deepEqual(bob.events.find((e) => e.event === 'with')!.bodies, ['n3', 'n6']);
    } finally {
      await bob.kill();
      await Promise.all([disconnect(alice), disconnect(carol)]);
    }
  });
});
