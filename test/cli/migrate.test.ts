// `parley migrate` on both drivers: applies every pending storage migration once, reports each
// one (plain lines when stdout is not a terminal), is idempotent, and records the same schema
// history in SQLite and PostgreSQL. With storage.migrate_on_start = false, opening storage is
// refused until it has run.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { stringify } from 'smol-toml';
import { loadConfig } from '../../src/config/loader.ts';
import { createStorage, MigrationsPendingError } from '../../src/storage/index.ts';
import { sqliteMigrations } from '../../src/storage/sqlite/index.ts';
import { describeRun, runParley } from '../helpers/parley-cli.ts';
import { dropSchema, freshSchemaName, pgTestUrl, tablesIn, withPgClient } from '../helpers/postgres.ts';
import { skipUnless } from '../helpers/services.ts';

const dirs: string[] = [];
const schemas: string[] = [];
after(async () => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  for (const s of schemas) await dropSchema(s);
});

function configFile(storage: Record<string, unknown>): { path: string; dataDir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'parley-migrate-'));
  dirs.push(dir);
  const dataDir = join(dir, 'data');
  const path = join(dir, 'parley.toml');
  writeFileSync(path, stringify({ data_dir: dataDir, storage }));
  return { path, dataDir };
}

const expectedHistory = sqliteMigrations.map((m) => `${m.store}#${m.id} ${m.name}`).sort();

async function migrateTwice(path: string): Promise<void> {
  const first = await runParley(['migrate', '--config', path]);
  assert.equal(first.code, 0, describeRun(['migrate'], first));
  const lines = first.stdout.split('\n').filter((l) => l.startsWith('applied '));
  assert.equal(lines.length, sqliteMigrations.length, first.stdout);
  assert.match(lines.at(-1)!, new RegExp(`^applied ${sqliteMigrations.length}/${sqliteMigrations.length}: `));
  assert.doesNotMatch(first.stdout, /\x1b\[/, 'no terminal control codes when stdout is not a TTY');
  assert.match(first.stdout, new RegExp(`${sqliteMigrations.length} migrations applied`));
  const second = await runParley(['migrate', '--config', path]);
  assert.equal(second.code, 0, describeRun(['migrate'], second));
  assert.match(second.stdout, /nothing to do/);
  assert.doesNotMatch(second.stdout, /^applied /m);
}

describe('parley migrate', () => {
  test('SQLite: applies every migration once, then finds nothing to do', async () => {
    const { path, dataDir } = configFile({ driver: 'sqlite' });
    await migrateTwice(path);
    const db = new Database(join(dataDir, 'parley.sqlite'), { readonly: true });
    try {
      const rows = db.prepare('SELECT store, id, name FROM schema_migrations').all() as Array<{ store: string; id: number; name: string }>;
      assert.deepEqual(rows.map((r) => `${r.store}#${r.id} ${r.name}`).sort(), expectedHistory);
    } finally {
      db.close();
    }
  });

  test('PostgreSQL: creates the schema and its tables, then finds nothing to do; same history as SQLite', { skip: skipUnless('postgres') }, async () => {
    const schema = freshSchemaName('parley_migrate');
    schemas.push(schema);
    const { path } = configFile({ driver: 'postgres', url: pgTestUrl, schema });
    await migrateTwice(path);
    const tables = await tablesIn(schema);
    for (const t of ['schema_migrations', 'accounts', 'archive_messages', 'roster_items', 'offline', 'muc_rooms', 'upload_slot']) assert.ok(tables.includes(t), `${t} in ${tables.join(', ')}`);
    const rows = await withPgClient(async (c) => (await c.query(`SELECT store, id, name FROM ${schema}.schema_migrations`)).rows as Array<{ store: string; id: number; name: string }>);
    assert.deepEqual(rows.map((r) => `${r.store}#${r.id} ${r.name}`).sort(), expectedHistory);
  });

  test('PostgreSQL: a bad URL is an error with exit code 1, not a crash', { skip: skipUnless('postgres') }, async () => {
    const { path } = configFile({ driver: 'postgres', url: 'postgres://postgres@127.0.0.1:1/none', schema: 'parley_unused' });
    const r = await runParley(['migrate', '--config', path]);
    assert.equal(r.code, 1, describeRun(['migrate'], r));
    assert.match(r.stderr, /^error: migration failed: /m);
  });

  for (const driver of ['sqlite', 'postgres'] as const) {
    test(`${driver}: with migrate_on_start = false, storage is refused until parley migrate has run`, { skip: driver === 'postgres' ? skipUnless('postgres') : false }, async () => {
      const schema = freshSchemaName('parley_nomigrate');
      if (driver === 'postgres') schemas.push(schema);
      const { path } = configFile(driver === 'postgres' ? { driver, url: pgTestUrl, schema, migrate_on_start: false } : { driver, migrate_on_start: false });
      const { config } = loadConfig(path);
      await assert.rejects(createStorage(config), (e: unknown) => e instanceof MigrationsPendingError && /parley migrate/.test(e.message));
      const r = await runParley(['migrate', '--config', path]);
      assert.equal(r.code, 0, describeRun(['migrate'], r));
      const storage = await createStorage(config);
      try {
        assert.equal(await storage.accounts.count(), 0);
      } finally {
        await storage.close();
      }
    });
  }
});
