// Schema migrations, per store, applied in order inside one transaction each. Never edit a
// shipped migration: append a new one. SQL stays portable (the PostgreSQL driver mirrors it).
import type { Db } from './db.ts';

export interface Migration {
  /** The store that owns the tables (one file per store under storage/sqlite/). */
  store: string;
  /** Increasing within the store. */
  id: number;
  name: string;
  sql: string;
}

export function migrate(db: Db, migrations: Migration[], onProgress?: (done: number, total: number, name: string) => void): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (store TEXT NOT NULL, id INTEGER NOT NULL, name TEXT NOT NULL, applied_at INTEGER NOT NULL, PRIMARY KEY (store, id))');
  const applied = new Set((db.prepare('SELECT store || \':\' || id FROM schema_migrations').pluck().all() as string[]));
  const pending = migrations.filter((m) => !applied.has(`${m.store}:${m.id}`)).sort((a, b) => a.store.localeCompare(b.store) || a.id - b.id);
  pending.forEach((m, i) => {
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (store, id, name, applied_at) VALUES (?, ?, ?, ?)').run(m.store, m.id, m.name, Date.now());
    })();
    onProgress?.(i + 1, pending.length, `${m.store}: ${m.name}`);
  });
}
