// XEP-0227 import of archived messages: each keeps the time of its <delay stamp/>, so the archive
// orders and selects (start/end) by the original times, before messages archived live; a second
// import adds nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyUser } from '../../src/portability/apply.ts';
import { parseUser } from '../../src/portability/xep0227.ts';
import { createSqliteStorage } from '../../src/storage/sqlite/index.ts';
import { parseElement } from '../../src/xml/parse-element.ts';

const result = (id: string, stamp: string, body: string) =>
  `<result xmlns='urn:xmpp:mam:2' id='${id}'><forwarded xmlns='urn:xmpp:forward:0'><delay xmlns='urn:xmpp:delay' stamp='${stamp}'/>` +
  `<message xmlns='jabber:client' from='bob@example.org/pc' to='alice@example.org' type='chat'><body>${body}</body></message></forwarded></result>`;

test('imported archived messages keep their delay stamps as archive times', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pie-time-'));
  const storage = createSqliteStorage(join(dir, 'db.sqlite'));
  try {
    const owner = { username: 'alice', domain: 'example.org' };
    // A live message first: imported ones from 2024 must still come before it.
    const [live] = await storage.archive.append([{ owner, with: 'carol@example.org', direction: 'in', stanza: `<message xmlns="jabber:client"><body>live</body></message>` }]);
    const user = parseElement(`<user xmlns='urn:xmpp:pie:0' name='alice' password='pw'><archive xmlns='urn:xmpp:pie:0#mam'>` +
      result('A2', '2024-05-06T07:08:09.123Z', 'two') + result('A1', '2024-05-06T07:08:09.123Z', 'one-b') + result('A0', '2023-01-02T03:04:05Z', 'zero') +
      `</archive></user>`)!;
    const opts = { hashes: ['SHA-256' as const], iterations: 4096, skipExisting: false };
    await applyUser(storage, parseUser(user, 'example.org'), opts);
    const page = await storage.archive.query(owner, { limit: 10 });
    const body = (s: string) => /<body>([^<]*)</.exec(s)![1];
    assert.deepEqual(page.items.map((m) => body(m.stanza)), ['zero', 'two', 'one-b', 'live']);
    assert.deepEqual(page.items.map((m) => m.timestamp), [Date.parse('2023-01-02T03:04:05Z'), Date.parse('2024-05-06T07:08:09.123Z'), Date.parse('2024-05-06T07:08:09.123Z'), live.timestamp]);
    assert.equal(new Set(page.items.map((m) => m.id)).size, 4);
    const in2024 = await storage.archive.query(owner, { limit: 10, start: Date.parse('2024-01-01T00:00:00Z'), end: Date.parse('2024-12-31T00:00:00Z') });
    assert.deepEqual(in2024.items.map((m) => body(m.stanza)), ['two', 'one-b']);
    // Idempotent: the same file again adds nothing.
    await applyUser(storage, parseUser(user, 'example.org'), opts);
    assert.equal((await storage.archive.query(owner, { limit: 10 })).items.length, 4);
    // Live messages still go after everything.
    const [later] = await storage.archive.append([{ owner, with: 'carol@example.org', direction: 'in', stanza: `<message xmlns="jabber:client"><body>later</body></message>` }]);
    assert.equal((await storage.archive.bounds(owner))?.last.id, later.id);
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
