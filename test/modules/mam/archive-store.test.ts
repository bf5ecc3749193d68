// The SQLite archive store: ordered unguessable ids, cursor paging (XEP-0059 over XEP-0313),
// filters, retention and deletion, and that every page query is an index range scan.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSqliteStorage } from '../../../src/storage/sqlite/index.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteArchive, KEYS_PER_MS, parseArchiveId, formatArchiveId, isGroupchatStanza } from '../../../src/storage/sqlite/archive.ts';
import { sqliteMigrations } from '../../../src/storage/sqlite/index.ts';
import { openDb } from '../../../src/storage/sqlite/db.ts';
import { migrate } from '../../../src/storage/sqlite/migrations.ts';
import type { ArchiveEntry, ArchiveOwner } from '../../../src/storage/types.ts';

const juliet: ArchiveOwner = { username: 'juliet', domain: 'capulet.lit' };
const romeo: ArchiveOwner = { username: 'romeo', domain: 'montague.lit' };

function open(clock: { t: number }) {
  const storage = createSqliteStorage(':memory:');
  const archive = new SqliteArchive(storage.db, () => clock.t);
  return { storage, archive };
}

const entry = (owner: ArchiveOwner, withJid: string, n: number, direction: 'in' | 'out' = 'in'): ArchiveEntry => ({
  owner,
  with: withJid,
  direction,
  stanza: `<message xmlns="jabber:client" id="m${n}"><body>${n}</body></message>`,
});

const bodies = (items: { stanza: string }[]) => items.map((m) => Number(/<body>(\d+)</.exec(m.stanza)![1]));

describe('archive store: ids', () => {
  test('are unique, ordered like the archive and 21 characters, even within one millisecond', async () => {
    const clock = { t: 1_700_000_000_000 };
    const { archive } = open(clock);
    const ids = await archive.append(Array.from({ length: 50 }, (_, i) => entry(juliet, 'romeo@montague.lit', i)));
    assert.equal(new Set(ids.map((x) => x.id)).size, 50);
    for (const { id } of ids) assert.match(id, /^[0-9a-v]{21}$/);
    assert.deepEqual([...ids.map((x) => x.id)].sort(), ids.map((x) => x.id));
    assert.equal(ids[0].timestamp, clock.t);
  });

  test('stay ordered when the clock steps back', async () => {
    const clock = { t: 1_700_000_000_000 };
    const { archive } = open(clock);
    const [a] = await archive.append([entry(juliet, 'romeo@montague.lit', 1)]);
    clock.t -= 60_000;
    const [b] = await archive.append([entry(juliet, 'romeo@montague.lit', 2)]);
    assert.ok(b.id > a.id);
  });

  test('round-trip through the codec and carry a random part', () => {
    const key = 1_700_000_000_000 * KEYS_PER_MS + 5;
    assert.deepEqual(parseArchiveId(formatArchiveId(key, 123456789)), { key, nonce: 123456789 });
    for (let i = 0; i < 1000; i++) {
      const k = Math.floor(Math.random() * Number.MAX_SAFE_INTEGER);
      const n = Math.floor(Math.random() * 2 ** 48);
      const id = formatArchiveId(k, n);
      assert.equal(id, k.toString(32).padStart(11, '0') + n.toString(32).padStart(10, '0'));
      assert.deepEqual(parseArchiveId(id), { key: k, nonce: n });
    }
    assert.equal(parseArchiveId('not-an-id'), null);
    assert.equal(parseArchiveId('ILOU0000000000000000!'), null);
  });

  test('appends in the same turn share a transaction but keep their order', async () => {
    const clock = { t: 1_700_000_000_000 };
    const { archive } = open(clock);
    const [x, y] = await Promise.all([archive.append([entry(juliet, 'a@x', 1)]), archive.append([entry(juliet, 'a@x', 2)])]);
    assert.ok(y[0].id > x[0].id);
    const page = await archive.query(juliet, { limit: 10 });
    assert.deepEqual(bodies(page.items), [1, 2]);
  });
});

describe('archive store: paging', () => {
  async function filled(n = 7) {
    const clock = { t: 1_700_000_000_000 };
    const o = open(clock);
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      clock.t += 1000; // one message per second
      const withJid = i % 2 === 0 ? 'romeo@montague.lit/orchard' : 'nurse@capulet.lit';
      ids.push((await o.archive.append([entry(juliet, withJid, i, i % 3 === 0 ? 'out' : 'in')]))[0].id);
    }
    await o.archive.append([entry(romeo, 'juliet@capulet.lit', 99)]);
    return { ...o, ids, t0: 1_700_000_000_000 };
  }

  test('forwards with after walks every message exactly once; complete only on the last page', async () => {
    const { archive } = await filled();
    const seen: number[] = [];
    const completes: boolean[] = [];
    let after: string | undefined;
    for (let guard = 0; guard < 10; guard++) {
      const page = await archive.query(juliet, { limit: 2, pageAfter: after });
      seen.push(...bodies(page.items));
      completes.push(page.complete);
      if (page.complete) break;
      after = page.items[page.items.length - 1].id;
    }
    assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6]);
    assert.deepEqual(completes, [false, false, false, true]);
  });

  test('exactly full last page is complete (no empty extra page needed)', async () => {
    const { archive, ids } = await filled(6);
    const page = await archive.query(juliet, { limit: 2, pageAfter: ids[3] });
    assert.deepEqual(bodies(page.items), [4, 5]);
    assert.equal(page.complete, true);
  });

  test('backwards from the end, then with before, in chronological order per page', async () => {
    const { archive } = await filled();
    const last = await archive.query(juliet, { limit: 3, backwards: true, countLimit: 1000 });
    assert.deepEqual(bodies(last.items), [4, 5, 6]);
    assert.equal(last.complete, false);
    assert.equal(last.count, 7);
    assert.equal(last.firstIndex, 4);
    const prev = await archive.query(juliet, { limit: 3, backwards: true, pageBefore: last.items[0].id });
    assert.deepEqual(bodies(prev.items), [1, 2, 3]);
    assert.equal(prev.complete, false);
    const first = await archive.query(juliet, { limit: 3, backwards: true, pageBefore: prev.items[0].id });
    assert.deepEqual(bodies(first.items), [0]);
    assert.equal(first.complete, true);
  });

  test('with: a bare JID matches every resource, a full JID only itself', async () => {
    const { archive } = await filled();
    assert.deepEqual(bodies((await archive.query(juliet, { limit: 10, with: 'romeo@montague.lit' })).items), [0, 2, 4, 6]);
    assert.deepEqual(bodies((await archive.query(juliet, { limit: 10, with: 'romeo@montague.lit/orchard' })).items), [0, 2, 4, 6]);
    assert.deepEqual(bodies((await archive.query(juliet, { limit: 10, with: 'romeo@montague.lit/balcony' })).items), []);
    const page = await archive.query(juliet, { limit: 10, with: 'nurse@capulet.lit', countLimit: 1000 });
    assert.deepEqual(bodies(page.items), [1, 3, 5]);
    assert.equal(page.count, 3);
    assert.equal(page.items[0].with, 'nurse@capulet.lit');
  });

  test('start and end are inclusive times', async () => {
    const { archive, t0 } = await filled();
    const page = await archive.query(juliet, { limit: 10, start: t0 + 2000, end: t0 + 4000, countLimit: 1000 });
    assert.deepEqual(bodies(page.items), [1, 2, 3]);
    assert.equal(page.count, 3);
    assert.equal(page.firstIndex, 0);
  });

  test('after-id and before-id narrow the result set; ids picks messages', async () => {
    const { archive, ids } = await filled();
    const between = await archive.query(juliet, { limit: 10, afterId: ids[1], beforeId: ids[5], countLimit: 1000 });
    assert.deepEqual(bodies(between.items), [2, 3, 4]);
    assert.equal(between.count, 3);
    const picked = await archive.query(juliet, { limit: 10, ids: [ids[5], ids[0]] });
    assert.deepEqual(bodies(picked.items), [0, 5]);
  });

  test('count and index describe the page within the result set', async () => {
    const { archive, ids } = await filled();
    const page = await archive.query(juliet, { limit: 2, pageAfter: ids[2], countLimit: 1000 });
    assert.deepEqual(bodies(page.items), [3, 4]);
    assert.equal(page.count, 7);
    assert.equal(page.firstIndex, 3);
    const countOnly = await archive.query(juliet, { limit: 0, countLimit: 1000 });
    assert.deepEqual(countOnly.items, []);
    assert.equal(countOnly.count, 7);
    assert.equal(countOnly.complete, false);
  });

  test('counts only result sets within countLimit (XEP-0059 §2.2, §2.7: omitted when too costly)', async () => {
    const { archive, ids } = await filled();
    const big = await archive.query(juliet, { limit: 2, pageAfter: ids[0], countLimit: 6 });
    assert.deepEqual([big.count, big.firstIndex, big.items.length], [undefined, undefined, 2]);
    const small = await archive.query(juliet, { limit: 2, with: 'nurse@capulet.lit', countLimit: 6 });
    assert.deepEqual([small.count, small.firstIndex], [3, 0]);
    const exact = await archive.query(juliet, { limit: 2, pageAfter: ids[4], countLimit: 7 });
    assert.deepEqual([exact.count, exact.firstIndex], [7, 5]);
    const none = await archive.query(juliet, { limit: 2 });
    assert.equal(none.count, undefined);
  });

  test('unknown, forged and foreign ids are reported, never used as positions', async () => {
    const { archive, ids } = await filled();
    const forged = ids[3].slice(0, 11) + (ids[3][11] === '0' ? '1' : '0') + ids[3].slice(12);
    const romeoId = (await archive.query(romeo, { limit: 1 })).items[0].id;
    for (const bad of ['nope', forged, romeoId]) {
      const page = await archive.query(juliet, { limit: 2, pageAfter: bad });
      assert.deepEqual(page.unknownIds, [bad]);
      assert.deepEqual(page.items, []);
    }
    assert.deepEqual((await archive.query(juliet, { limit: 2, ids: [ids[0], 'nope'] })).unknownIds, ['nope']);
    assert.deepEqual((await archive.query({ username: 'nobody', domain: 'x' }, { limit: 2, afterId: ids[0] })).unknownIds, [ids[0]]);
  });

  test('bounds give the oldest and newest message', async () => {
    const { archive, ids, t0 } = await filled();
    const b = await archive.bounds(juliet);
    assert.deepEqual(b, { first: { id: ids[0], timestamp: t0 + 1000 }, last: { id: ids[6], timestamp: t0 + 7000 } });
    assert.equal(await archive.bounds({ username: 'nobody', domain: 'x' }), null);
  });
});

describe('archive store: retention and deletion', () => {
  test('deleteBefore removes the oldest messages first, in bounded batches', async () => {
    const clock = { t: 1_700_000_000_000 };
    const { archive } = open(clock);
    for (let i = 0; i < 10; i++) {
      clock.t += 1000;
      await archive.append([entry(i % 2 ? juliet : romeo, 'a@b', i)]);
    }
    assert.equal(await archive.deleteBefore(1_700_000_000_000 + 6000 + 1, 3), 3);
    assert.equal(await archive.deleteBefore(1_700_000_000_000 + 6000 + 1, 3), 3);
    assert.equal(await archive.deleteBefore(1_700_000_000_000 + 6000 + 1, 3), 0);
    assert.deepEqual(bodies((await archive.query(juliet, { limit: 10 })).items), [7, 9]);
    assert.deepEqual(bodies((await archive.query(romeo, { limit: 10 })).items), [6, 8]);
  });

  test('deleting the account deletes its archive; deleteArchive drops a room archive', async () => {
    const clock = { t: 1_700_000_000_000 };
    const storage = createSqliteStorage(':memory:');
    const archive = storage.archive;
    const room = { username: 'coven', domain: 'chat.shakespeare.lit' };
    await archive.append([entry(juliet, 'a@b', 1), entry(romeo, 'a@b', 2), entry(room, 'a@b', 3)]);
    await storage.deleteUser('juliet', 'capulet.lit');
    assert.deepEqual((await archive.query(juliet, { limit: 10 })).items, []);
    assert.equal((await archive.query(romeo, { limit: 10 })).items.length, 1);
    assert.equal(await archive.deleteArchive(room), 1);
    assert.deepEqual((await archive.query(room, { limit: 10 })).items, []);
    void clock;
  });
});

describe('archive store: query plans', () => {
  // Paging must be an index range scan: no full scan, no OFFSET, no sort of the whole archive.
  test('page and count queries use the (owner, key) and (owner, with_bare, key) indexes', () => {
    const { storage } = open({ t: 0 });
    const plan = (sql: string) => (storage.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join(' | ');
    const cols = 'key, nonce, with_bare, with_resource, outgoing, stanza';
    for (const dir of ['ASC', 'DESC']) {
      const p = plan(`SELECT ${cols} FROM archive_messages WHERE owner = 1 AND key BETWEEN 1 AND 2 ORDER BY key ${dir} LIMIT 3`);
      assert.match(p, /archive_messages_owner|INTEGER PRIMARY KEY/, p);
      assert.doesNotMatch(p, /TEMP B-TREE|SCAN archive_messages(?! USING)/, p);
      const w = plan(`SELECT ${cols} FROM archive_messages WHERE owner = 1 AND with_bare = 'a' AND key BETWEEN 1 AND 2 ORDER BY key ${dir} LIMIT 3`);
      assert.match(w, /archive_messages_owner_with/, w);
      assert.doesNotMatch(w, /TEMP B-TREE/, w);
    }
    const c = plan(`SELECT COUNT(*) FROM archive_messages WHERE owner = 1 AND with_bare = 'a' AND key BETWEEN 1 AND 2`);
    assert.match(c, /COVERING INDEX archive_messages_owner_with/, c);
    // A user's query leaves groupchat out: its counts still read the index alone (no row reads).
    for (const w of ['', " AND with_bare = 'a'"]) {
      const g = plan(`SELECT COUNT(*) FROM (SELECT 1 FROM archive_messages WHERE owner = 1${w} AND groupchat = 0 AND key BETWEEN 1 AND 2 LIMIT 10)`);
      assert.match(g, /COVERING INDEX archive_messages_owner/, g);
    }
  });
});

describe('archive store: groupchat flag migration (archive #2)', () => {
  test('flags the groupchat messages an older database holds, and the filter uses the flag', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-archive-mig-'));
    try {
      const path = join(dir, 'old.sqlite');
      // A database as the previous version left it: every migration but archive #2.
      const db = openDb(path);
      migrate(db, sqliteMigrations.filter((m) => !(m.store === 'archive' && m.id === 2)));
      db.prepare("INSERT INTO archive_owners (id, domain, username) VALUES (1, 'capulet.lit', 'juliet')").run();
      const put = db.prepare("INSERT INTO archive_messages (key, owner, nonce, with_bare, with_resource, outgoing, stanza) VALUES (?, 1, 7, 'romeo@montague.lit', '', 0, ?)");
      put.run(1024, '<message xmlns="jabber:client" type="chat"><body>0</body></message>');
      put.run(2048, '<message xmlns="jabber:client" from="room@muc.lit/x" type="groupchat"><body>1</body></message>');
      put.run(3072, '<message xmlns="jabber:client" type="chat"><body>2</body><x note="type=&quot;groupchat&quot;"/></message>');
      db.close();
      const storage = createSqliteStorage(path);
      try {
        const flags = storage.db.prepare('SELECT groupchat FROM archive_messages ORDER BY key').pluck().all();
        assert.deepEqual(flags, [0, 1, 0]);
        const page = await storage.archive.query(juliet, { limit: 10, excludeGroupchat: true, countLimit: 10 });
        assert.deepEqual([bodies(page.items), page.count, page.firstIndex], [[0, 2], 2, 0]);
      } finally {
        await storage.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('isGroupchatStanza reads the start tag only', () => {
    assert.equal(isGroupchatStanza('<message xmlns="jabber:client" type="groupchat" id="a"><body/></message>'), true);
    assert.equal(isGroupchatStanza('<message type="GROUPCHAT"/>'), true);
    assert.equal(isGroupchatStanza('<message type="chat"><body>type="groupchat"</body></message>'), false);
    assert.equal(isGroupchatStanza('<message xmlns="jabber:client" id="m" mytype="groupchat"/>'), false);
    assert.equal(isGroupchatStanza(''), false);
  });
});
