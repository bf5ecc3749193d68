// Schema migrations for PostgreSQL, kept exactly like the SQLite driver's: per store, numbered,
// append-only, recorded in `schema_migrations (store, id, name, applied_at)`, each applied in its
// own transaction (PostgreSQL DDL is transactional). The store/id/name of a migration match the
// SQLite one that makes the same tables, so both drivers report the same schema history.
// Several nodes may start at once against one database: a session advisory lock lets one of
// them migrate while the others wait, then find nothing left to do.
import type { Migration } from '../sqlite/migrations.ts';
import type { PgDb } from './pool.ts';

export type { Migration };

// An arbitrary constant of Parley's own for pg_advisory_lock: "parley" in ASCII.
const MIGRATION_LOCK = 0x7061726c6579;

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  store TEXT NOT NULL,
  id INTEGER NOT NULL,
  name TEXT NOT NULL,
  applied_at BIGINT NOT NULL,
  PRIMARY KEY (store, id)
)`;

/** Migrations not yet recorded, in the order migrate() applies them (store, then id). */
export async function pendingMigrations(db: PgDb, migrations: Migration[]): Promise<Migration[]> {
  const exists = await db.value<string | null>("SELECT to_regclass('schema_migrations')::text");
  const applied = new Set(exists ? (await db.rows<{ k: string }>("SELECT store || ':' || id AS k FROM schema_migrations")).map((r) => r.k) : []);
  return migrations.filter((m) => !applied.has(`${m.store}:${m.id}`)).sort((a, b) => a.store.localeCompare(b.store) || a.id - b.id);
}

export async function migrate(db: PgDb, migrations: Migration[], onProgress?: (done: number, total: number, name: string) => void): Promise<number> {
  const client = await db.pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      if (db.schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${db.schema}`); // a checked identifier (pool.ts)
      await client.query(CREATE_TABLE);
      const done = new Set((await client.query<{ k: string }>("SELECT store || ':' || id AS k FROM schema_migrations")).rows.map((r) => r.k));
      const pending = migrations.filter((m) => !done.has(`${m.store}:${m.id}`)).sort((a, b) => a.store.localeCompare(b.store) || a.id - b.id);
      for (const [i, m] of pending.entries()) {
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations (store, id, name, applied_at) VALUES ($1, $2, $3, $4)', [m.store, m.id, m.name, Date.now()]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw new Error(`migration ${m.store} #${m.id} (${m.name}) failed: ${(err as Error).message}`, { cause: err });
        }
        onProgress?.(i + 1, pending.length, `${m.store}: ${m.name}`);
      }
      return pending.length;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}
