// PostgreSQL KeyValueStore: small per-user documents (private XML, preferences...).
import type { KeyValueStore } from '../types.ts';
import type { Migration } from './migrations.ts';
import type { PgDb } from './pool.ts';

export const kvMigrations: Migration[] = [
  {
    store: 'kv',
    id: 1,
    name: 'per-user key/value documents',
    sql: `CREATE TABLE kv (
      domain TEXT COLLATE "C" NOT NULL,
      username TEXT COLLATE "C" NOT NULL,
      store TEXT COLLATE "C" NOT NULL,
      key TEXT COLLATE "C" NOT NULL,
      value TEXT NOT NULL,
      PRIMARY KEY (domain, username, store, key)
    );`,
  },
];

export class PgKv implements KeyValueStore {
  constructor(private readonly db: PgDb) {}

  async get(u: string, d: string, store: string, key: string): Promise<string | null> {
    return (await this.db.value<string>('SELECT value FROM kv WHERE domain = $1 AND username = $2 AND store = $3 AND key = $4', [d, u, store, key])) ?? null;
  }
  async set(u: string, d: string, store: string, key: string, value: string | null): Promise<void> {
    if (value === null) await this.db.run('DELETE FROM kv WHERE domain = $1 AND username = $2 AND store = $3 AND key = $4', [d, u, store, key]);
    else
      await this.db.run(
        'INSERT INTO kv (domain, username, store, key, value) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (domain, username, store, key) DO UPDATE SET value = excluded.value',
        [d, u, store, key, value],
      );
  }
  async keys(u: string, d: string, store: string): Promise<string[]> {
    return (await this.db.rows<{ key: string }>('SELECT key FROM kv WHERE domain = $1 AND username = $2 AND store = $3 ORDER BY key', [d, u, store])).map((r) => r.key);
  }
  async deleteUser(u: string, d: string): Promise<void> {
    await this.db.run('DELETE FROM kv WHERE domain = $1 AND username = $2', [d, u]);
  }
}
