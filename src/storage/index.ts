// Opens the configured storage driver (`[storage] driver`): SQLite in data_dir, or PostgreSQL at
// `storage.url`. Opening is async because PostgreSQL is reached over the network; both drivers
// apply pending migrations first unless `storage.migrate_on_start` is false, in which case a
// database with pending migrations is refused (`parley migrate` applies them).
import type { Config } from '../config/schema.ts';
import { resolveDataPath } from '../config/loader.ts';
import type { Logger } from '../observability/log.ts';
import { openDb } from './sqlite/db.ts';
import { createSqliteStorage, sqliteMigrations } from './sqlite/index.ts';
import { createPostgresStorage, migratePostgres, MigrationsPendingError } from './postgres/index.ts';
import type { PgOptions } from './postgres/pool.ts';
import type { Storage } from './types.ts';

export { MigrationsPendingError };

export type MigrationProgress = (done: number, total: number, name: string) => void;

function pgOptions(config: Config): PgOptions {
  const s = config.storage;
  if (!s.url) throw new Error('storage.url is required when storage.driver is "postgres"');
  return { url: s.url, poolSize: s.pool_size, schema: s.schema };
}

/** SQLite migrations not yet applied to the file (without applying them). */
function sqlitePending(path: string): number {
  const db = openDb(path);
  try {
    const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
    const applied = new Set(table ? (db.prepare("SELECT store || ':' || id FROM schema_migrations").pluck().all() as string[]) : []);
    return sqliteMigrations.filter((m) => !applied.has(`${m.store}:${m.id}`)).length;
  } finally {
    db.close();
  }
}

export async function createStorage(config: Config, log?: Logger): Promise<Storage> {
  const onProgress: MigrationProgress = (done, total, name) => log?.info({ done, total, migration: name }, 'storage migration applied');
  const s = config.storage;
  if (s.driver === 'postgres') return createPostgresStorage({ ...pgOptions(config), migrate: s.migrate_on_start, onProgress });
  const path = resolveDataPath(config, s.path);
  if (!s.migrate_on_start) {
    const pending = sqlitePending(path);
    if (pending > 0) throw new MigrationsPendingError(`${pending} storage migrations are pending; run \`parley migrate\``);
  }
  return createSqliteStorage(path, onProgress);
}

/** Apply the configured driver's pending migrations and close it again (`parley migrate`). */
export async function migrateStorage(config: Config, onProgress?: MigrationProgress): Promise<{ applied: number; total: number }> {
  if (config.storage.driver === 'postgres') return migratePostgres(pgOptions(config), onProgress);
  let applied = 0;
  const storage = createSqliteStorage(resolveDataPath(config, config.storage.path), (done, total, name) => {
    applied = done;
    onProgress?.(done, total, name);
  });
  await storage.close();
  return { applied, total: sqliteMigrations.length };
}
