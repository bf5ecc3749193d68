// PostgreSQL archive paging must be an index range scan, like SQLite's (test/modules/mam/
// archive-store.test.ts): no sequential scan of the archive, no sort of it, no OFFSET. Checked on
// the plans PostgreSQL picks for a filled, analysed archive of several owners.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPostgresStorage } from '../../../src/storage/postgres/index.ts';
import { dropSchema, freshSchemaName, pgTestUrl } from '../../helpers/postgres.ts';
import { skipUnless } from '../../helpers/services.ts';

const schema = freshSchemaName('parley_plan');
let created = false;
after(async () => {
  if (created) await dropSchema(schema);
});

test('archive page and count queries use the (owner, key) and (owner, with_bare, key) indexes', { skip: skipUnless('postgres') }, async () => {
  created = true;
  const s = await createPostgresStorage({ url: pgTestUrl, poolSize: 2, schema });
  try {
    const owners = 20;
    const perOwner = 1000;
    for (let o = 0; o < owners; o++) {
      const entries = Array.from({ length: perOwner }, (_, i) => ({ owner: { username: `u${o}`, domain: 'd' }, with: `c${i % 40}@x/r`, direction: 'in' as const, stanza: `<message><body>${i}</body></message>` }));
      await s.archive.append(entries);
    }
    await s.db.run('ANALYZE archive_messages');
    const owner = (await s.db.value<number>("SELECT id FROM archive_owners WHERE username = 'u7'"))!;
    const plan = async (sql: string) => (await s.db.rows<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`)).map((r) => r['QUERY PLAN']).join('\n');
    const cols = 'key, nonce, with_bare, with_resource, outgoing, stanza';
    const hi = Number.MAX_SAFE_INTEGER;
    for (const dir of ['ASC', 'DESC']) {
      const p = await plan(`SELECT ${cols} FROM archive_messages WHERE owner = ${owner} AND key BETWEEN 0 AND ${hi} ORDER BY key ${dir} LIMIT 51`);
      assert.match(p, /Index Scan( Backward)? using archive_messages_owner on archive_messages/, p);
      assert.doesNotMatch(p, /Seq Scan|Sort/, p);
      const w = await plan(`SELECT ${cols} FROM archive_messages WHERE owner = ${owner} AND with_bare = 'c3@x' AND key BETWEEN 0 AND ${hi} ORDER BY key ${dir} LIMIT 51`);
      assert.match(w, /Index Scan( Backward)? using archive_messages_owner_with/, w);
      assert.doesNotMatch(w, /Seq Scan|Sort/, w);
    }
    const c = await plan(`SELECT count(*) FROM (SELECT 1 FROM archive_messages WHERE owner = ${owner} AND with_bare = 'c3@x' AND key BETWEEN 0 AND ${hi} LIMIT 10001) bounded`);
    assert.match(c, /archive_messages_owner_with/, c);
    assert.doesNotMatch(c, /Seq Scan/, c);
    // A user's query leaves groupchat out (archive migration 2): still the owner index, never a scan of the table.
    const g = await plan(`SELECT count(*) FROM (SELECT 1 FROM archive_messages WHERE owner = ${owner} AND NOT groupchat AND key BETWEEN 0 AND ${hi} LIMIT 10001) bounded`);
    assert.match(g, /Index (Only )?Scan using archive_messages_owner on archive_messages|Bitmap Index Scan on archive_messages_owner\s/, g);
    assert.doesNotMatch(g, /Seq Scan/, g);
  } finally {
    await s.close();
  }
});
