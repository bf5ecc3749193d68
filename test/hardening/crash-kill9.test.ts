// Crash safety: kill -9 the server during a burst of direct messages (to an offline contact) and
// MUC posts. Every message the sender had an acknowledgement for (XEP-0198 <a h='n'/> covering it,
// or the room's XEP-0359 stanza-id on the reflected copy) must be in the offline store / the
// archives after the restart. SQLite runs in WAL mode and commits are fsynced before the ack.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { RawXmpp } from '../helpers/raw.ts';
import { CrashableServer } from './crash-server.ts';

const ROOM = 'crash@conference.localhost';

describe('kill -9 during a burst', () => {
  let server: CrashableServer;
  before(async () => {
    // Bob's mailbox holds the whole burst (a faster server gets more than the default 1,000 in).
    server = await CrashableServer.create({
      c2s: { stanza_rate: 100_000, stanza_burst: 100_000, max_outbound_queue_bytes: 256 * 1024 * 1024 },
      modules: { offline: { max_messages: 1_000_000, max_bytes: 128 * 1024 * 1024 } },
    });
    await server.start();
    await server.adduser('alice', 'alice-pw');
    await server.adduser('bob', 'bob-pw');
  });
  after(async () => {
    await server?.remove();
  });

  test('every acknowledged message is in the offline store or the archives after restart', async (t) => {
    const d = server.domain;
    const alice = await RawXmpp.login({ port: server.ports.c2s, domain: d, username: 'alice', password: 'alice-pw', bind: true, resource: 'a' });
    alice.write('<presence/>');
    // An archived, persistent room.
    alice.write(`<presence to='${ROOM}/alice'><x xmlns='http://jabber.org/protocol/muc'/></presence>`);
    await alice.waitFor(/status code=["']201["']/);
    alice.write(`<iq type='set' id='cfg' to='${ROOM}'><query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE'><value>http://jabber.org/protocol/muc#roomconfig</value></field><field var='muc#roomconfig_persistentroom'><value>1</value></field><field var='muc#roomconfig_enablelogging'><value>1</value></field></x></query></iq>`);
    await alice.waitFor(/<iq[^>]*id=["']cfg["'][^>]*type=["']result["']|<iq[^>]*type=["']result["'][^>]*id=["']cfg["']/);
    alice.write(`<enable xmlns='urn:xmpp:sm:3'/>`);
    await alice.waitFor(/<enabled /);

    // The burst: stanza k (1-based, counted by SM from <enable/>) is sent[k - 1].
    const sent: { kind: 'dm' | 'muc'; body: string }[] = [];
    let killed = false;
    const killAt = 1500 + Math.random() * 1500;
    const burst = (async () => {
      const t0 = Date.now();
      for (let i = 0; !killed && !alice.closed && i < 100_000; i++) {
        let batch = '';
        for (let k = 0; k < 10; k++) {
          const n = sent.length;
          if (n % 3 === 2) {
            sent.push({ kind: 'muc', body: `muc-${n}` });
            batch += `<message to='${ROOM}' type='groupchat' id='g${n}'><body>muc-${n}</body></message>`;
          } else {
            sent.push({ kind: 'dm', body: `dm-${n}` });
            batch += `<message to='bob@${d}' type='chat' id='m${n}'><body>dm-${n}</body></message>`;
          }
        }
        alice.write(batch + `<r xmlns='urn:xmpp:sm:3'/>`);
        // Keep about two batches in flight, so the kill lands among acked, handled and unread ones.
        if (i % 2 === 1) await alice.waitFor(new RegExp(`<a xmlns="urn:xmpp:sm:3" h="${sent.length - 10}"/>`), 5000).catch(() => undefined);
        if (Date.now() - t0 > 30_000) break;
      }
    })();
    await new Promise((r) => setTimeout(r, killAt));
    await server.kill9();
    killed = true;
    await burst;
    await alice.waitClosed(5000).catch(() => undefined);

    // What alice was told: the highest h, and the stanza-ids on reflected room messages.
    const acked = Math.max(0, ...[...alice.text.matchAll(/<a xmlns="urn:xmpp:sm:3" h="(\d+)"\/>/g)].map((m) => Number(m[1])));
    const reflected = new Set([...alice.text.matchAll(/<message[^>]*type="groupchat"[^>]*>(?:(?!<\/message>)[\s\S])*?<body>(muc-\d+)<\/body>(?:(?!<\/message>)[\s\S])*?<stanza-id[^>]*by="crash@conference\.localhost"/g)].map((m) => m[1]));
    // A message the server answered with an error (e.g. a full mailbox) was not accepted: not lost.
    const bounced = new Set([...alice.text.matchAll(/<message[^>]*type="error"[^>]*>/g)].map((m) => /id="m(\d+)"/.exec(m[0])?.[1]).filter((n): n is string => !!n).map((n) => `dm-${n}`));
    const mustHave = new Set<string>([...sent.slice(0, acked).map((s) => s.body).filter((b) => !bounced.has(b)), ...reflected]);
    assert.ok(acked > 0, 'some messages were acknowledged before the kill');

    await server.start();
    const db = new Database(join(server.dataDir, 'parley.sqlite'), { readonly: true, fileMustExist: true });
    let found: Set<string>;
    try {
      const offline = db.prepare(`SELECT stanza FROM offline WHERE username = 'bob' AND domain = ?`).all(d) as { stanza: string }[];
      const archived = db.prepare(`SELECT m.stanza FROM archive_messages m JOIN archive_owners o ON o.id = m.owner WHERE (o.username = 'crash' AND o.domain = 'conference.localhost') OR (o.username = 'bob' AND o.domain = ?)`).all(d) as { stanza: string }[];
      const bodies = (rows: { stanza: string }[]) => rows.map((r) => /<body>([^<]+)<\/body>/.exec(r.stanza)?.[1]).filter((b): b is string => !!b);
      found = new Set([...bodies(offline), ...bodies(archived)]);
      const offlineDm = new Set(bodies(offline));
      const roomArchive = new Set(bodies(archived).filter((b) => b.startsWith('muc-')));
      const missing = [...mustHave].filter((b) => (b.startsWith('dm-') ? !offlineDm.has(b) : !roomArchive.has(b)));
      const dms = [...mustHave].filter((b) => b.startsWith('dm-')).length;
      t.diagnostic(`killed after ${killAt.toFixed(0)} ms: ${sent.length} messages written, last <a h='${acked}'/>, ${reflected.size} room messages reflected with a stanza-id, ${bounced.size} bounced`);
      t.diagnostic(`checked ${mustHave.size} acknowledged messages (${dms} direct -> bob's offline store, ${mustHave.size - dms} room posts -> the room archive): ${missing.length} missing; ${found.size} stored in all`);
      assert.deepEqual(missing, [], 'acknowledged messages lost by kill -9');
    } finally {
      db.close();
    }
    // And the restarted server delivers them: bob comes online and gets his offline messages.
    const bob = await RawXmpp.login({ port: server.ports.c2s, domain: d, username: 'bob', password: 'bob-pw', bind: true, resource: 'b' });
    bob.write('<presence/>');
    const lastDm = [...mustHave].filter((b) => b.startsWith('dm-')).sort((a, b) => Number(a.slice(3)) - Number(b.slice(3))).at(-1);
    if (lastDm) await bob.waitFor(`<body>${lastDm}</body>`, 15_000);
    bob.end();
  });
});
