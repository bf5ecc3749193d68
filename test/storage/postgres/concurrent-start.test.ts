// Several Parley nodes starting at once against one PostgreSQL: one applies the migrations, the
// others wait on the advisory lock and find nothing to do; all end with one schema history and
// working stores, and a key from each node's archive append is unique.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPostgresStorage, postgresMigrations } from '../../../src/storage/postgres/index.ts';
import { dropSchema, freshSchemaName, pgTestUrl } from '../../helpers/postgres.ts';
import { skipUnless } from '../../helpers/services.ts';

const schema = freshSchemaName('parley_nodes');
let created = false;
after(async () => {
  if (created) await dropSchema(schema);
});

test('three nodes opening one fresh schema at once migrate it once and share it', { skip: skipUnless('postgres') }, async () => {
  created = true;
  const applied: number[] = [0, 0, 0];
  const nodes = await Promise.all(applied.map((_, i) => createPostgresStorage({ url: pgTestUrl, poolSize: 3, schema, onProgress: () => applied[i]++ })));
  try {
    assert.equal(applied.reduce((a, b) => a + b), postgresMigrations.length, `migrations applied per node: ${applied.join(', ')}`);
    assert.equal(await nodes[0].db.value<number>('SELECT count(*) FROM schema_migrations'), postgresMigrations.length);
    const owner = { username: 'u', domain: 'd' };
    const ids = await Promise.all(nodes.map((n, i) => n.archive.append([{ owner, with: 'a@b', direction: 'in', stanza: `<m>${i}</m>` }])));
    assert.equal(new Set(ids.map(([x]) => x.id)).size, 3);
    const page = await nodes[2].archive.query(owner, { limit: 10 });
    assert.deepEqual(page.items.map((m) => m.id), ids.map(([x]) => x.id).sort(), 'every node sees every message, in key order');
    assert.equal(await nodes[1].accounts.create({ username: 'u', domain: 'd', credentials: {}, createdAt: 0 }), true);
    assert.equal(await nodes[2].accounts.create({ username: 'u', domain: 'd', credentials: {}, createdAt: 0 }), false);
  } finally {
    for (const n of nodes) await n.close();
  }
});
