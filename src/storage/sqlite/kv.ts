// SQLite KeyValueStore: small per-user documents (private XML, preferences...).
import type { KeyValueStore } from '../types.ts';
import type { Db } from './db.ts';
import type { Migration } from './migrations.ts';

export const kvMigrations: Migration[] = [
  {
    store: 'kv',
    id: 1,
    name: 'per-user key/value documents',
    sql: `CREATE TABLE kv (
      domain TEXT NOT NULL,
      username TEXT NOT NULL,
      store TEXT NOT NULL,
      key TEXT NOT NULL,
      value TEXT NOT NULL,
      PRIMARY KEY (domain, username, store, key)
    );`,
  },
];

export class SqliteKv implements KeyValueStore {
  private stmts;
  constructor(db: Db) {
    this.stmts = {
      get: db.prepare('SELECT value FROM kv WHERE domain = ? AND username = ? AND store = ? AND key = ?').pluck(),
      set: db.prepare('INSERT INTO kv (domain, username, store, key, value) VALUES (?, ?, ?, ?, ?) ON CONFLICT (domain, username, store, key) DO UPDATE SET value = excluded.value'),
      del: db.prepare('DELETE FROM kv WHERE domain = ? AND username = ? AND store = ? AND key = ?'),
      keys: db.prepare('SELECT key FROM kv WHERE domain = ? AND username = ? AND store = ? ORDER BY key').pluck(),
      delUser: db.prepare('DELETE FROM kv WHERE domain = ? AND username = ?'),
    };
  }
  async get(u: string, d: string, store: string, key: string): Promise<string | null> {
    return (this.stmts.get.get(d, u, store, key) as string | undefined) ?? null;
  }
  async set(u: string, d: string, store: string, key: string, value: string | null): Promise<void> {
    if (value === null) this.stmts.del.run(d, u, store, key);
    else this.stmts.set.run(d, u, store, key, value);
  }
  async keys(u: string, d: string, store: string): Promise<string[]> {
    return this.stmts.keys.all(d, u, store) as string[];
  }
  async deleteUser(u: string, d: string): Promise<void> {
    this.stmts.delUser.run(d, u);
  }
}
