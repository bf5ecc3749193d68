// The drivers the storage contract suite runs against: SQLite in a temp file, PostgreSQL in a fresh
// schema of the `test` database (migrated once per test file, emptied back to its just-migrated
// state before every test, dropped when the file ends). A suite is written once:
//   contract('offline store', (open) => { test('...', () => withStorage(open, async (s) => {...})); });
import { after, describe } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStorage } from '../../../src/storage/sqlite/index.ts';
import { SqliteArchive } from '../../../src/storage/sqlite/archive.ts';
import { createPostgresStorage } from '../../../src/storage/postgres/index.ts';
import type { Storage } from '../../../src/storage/types.ts';
import { skipUnless } from '../../helpers/services.ts';
import { dropSchema, freshSchemaName, pgTestUrl } from '../../helpers/postgres.ts';

export interface OpenOptions {
  /** Clock for archive keys and timestamps. */
  now?: () => number;
}

export interface Opened {
  storage: Storage;
  /** A second, independent connection to the same database (to see what is durable). */
  reopen(): Promise<Storage>;
  close(): Promise<void>;
}

export type Open = (opts?: OpenOptions) => Promise<Opened>;

interface Driver {
  name: string;
  skip: false | string;
  open: Open;
  cleanup(): Promise<void>;
}

function sqliteDriver(): Driver {
  let dir: string | undefined;
  let n = 0;
  return {
    name: 'sqlite',
    skip: false,
    async open(opts = {}) {
      dir ??= mkdtempSync(join(tmpdir(), 'parley-contract-'));
      const path = join(dir, `db-${++n}.sqlite`);
      const withClock = (s: ReturnType<typeof createSqliteStorage>): Storage => (opts.now ? { ...s, archive: new SqliteArchive(s.db, opts.now) } : s);
      const storage = withClock(createSqliteStorage(path));
      const others: Storage[] = [];
      return {
        storage,
        async reopen() {
          const s = createSqliteStorage(path);
          others.push(s);
          return s;
        },
        async close() {
          for (const s of [storage, ...others]) await s.close();
        },
      };
    },
    async cleanup() {
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresDriver(): Driver {
  const schema = freshSchemaName('parley_contract');
  let seeds: Array<{ table: string; rows: unknown[] }> | undefined;
  let tables: string[] = [];
  const options = { url: pgTestUrl, poolSize: 4, schema };
  return {
    name: 'postgres',
    skip: skipUnless('postgres'),
    async open(opts = {}) {
      // Migrated once per file; later opens only check that nothing is pending.
      const storage = await createPostgresStorage({ ...options, now: opts.now, migrate: seeds === undefined });
      const db = storage.db;
      if (!seeds) {
        // Rows the migrations themselves insert (archive_clock), put back after every reset.
        tables = (await db.rows<{ t: string }>("SELECT table_name AS t FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations' ORDER BY 1", [schema])).map((r) => r.t);
        seeds = [];
        for (const table of tables) {
          const rows = await db.rows(`SELECT * FROM ${table}`);
          if (rows.length) seeds.push({ table, rows });
        }
      }
      // DELETE rather than TRUNCATE: on these small tables it is several times faster. Twice,
      // because delete triggers (upload_slot -> files_trash) write into tables already emptied.
      // The reset itself need not wait for its fsync (synchronous_commit off for it alone).
      const client = await db.pool.connect();
      try {
        await client.query(`BEGIN; SET LOCAL synchronous_commit = off; ${[...tables, ...tables].map((t) => `DELETE FROM ${t};`).join(' ')}`);
        for (const s of seeds) await client.query(`INSERT INTO ${s.table} SELECT * FROM json_populate_recordset(NULL::${s.table}, $1)`, [JSON.stringify(s.rows)]);
        await client.query('COMMIT');
      } finally {
        client.release();
      }
      const others: Storage[] = [];
      return {
        storage,
        async reopen() {
          const s = await createPostgresStorage({ ...options, migrate: false });
          others.push(s);
          return s;
        },
        async close() {
          for (const s of [storage, ...others]) await s.close();
        },
      };
    },
    async cleanup() {
      if (seeds) await dropSchema(schema);
    },
  };
}

const drivers = [sqliteDriver(), postgresDriver()];

after(async () => {
  for (const d of drivers) await d.cleanup();
});

/** One describe block per driver, each given that driver's `open`. */
export function contract(title: string, body: (open: Open, driver: string) => void): void {
  for (const d of drivers) describe(`${title} [${d.name}]`, { skip: d.skip }, () => body(d.open, d.name));
}

/** Open a fresh storage, run fn, close it whatever happens. */
export async function withStorage<T>(open: Open, fn: (s: Storage, o: Opened) => Promise<T>, opts?: OpenOptions): Promise<T> {
  const o = await open(opts);
  try {
    return await fn(o.storage, o);
  } finally {
    await o.close();
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
