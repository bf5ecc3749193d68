// SQLite driver (better-sqlite3 12.x): WAL, synchronous=FULL so a write is on disk before we
// acknowledge it, one connection (SQLite has one writer anyway), versioned migrations.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Account, AccountStore, KeyValueStore, Storage } from '../types.ts';
import { migrations } from './migrations.ts';

export type Db = Database.Database;

export function openSqlite(path: string, onProgress?: (done: number, total: number, name: string) => void): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db, onProgress);
  return db;
}

function migrate(db: Db, onProgress?: (done: number, total: number, name: string) => void): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const applied = new Set(db.prepare('SELECT id FROM schema_migrations').pluck().all() as number[]);
  const pending = migrations.filter((m) => !applied.has(m.id));
  pending.forEach((m, i) => {
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)').run(m.id, m.name, Date.now());
    })();
    onProgress?.(i + 1, pending.length, m.name);
  });
}

class SqliteAccounts implements AccountStore {
  private stmts;
  constructor(db: Db) {
    this.stmts = {
      insert: db.prepare('INSERT OR IGNORE INTO accounts (domain, username, credentials, created_at) VALUES (?, ?, ?, ?)'),
      get: db.prepare('SELECT username, domain, credentials, created_at FROM accounts WHERE domain = ? AND username = ?'),
      setCred: db.prepare('UPDATE accounts SET credentials = ? WHERE domain = ? AND username = ?'),
      del: db.prepare('DELETE FROM accounts WHERE domain = ? AND username = ?'),
      delKv: db.prepare('DELETE FROM kv WHERE domain = ? AND username = ?'),
      list: db.prepare("SELECT username FROM accounts WHERE domain = ? AND username > ? AND instr(username, ?) > 0 ORDER BY username LIMIT ?"),
      count: db.prepare('SELECT count(*) FROM accounts'),
      countDomain: db.prepare('SELECT count(*) FROM accounts WHERE domain = ?'),
    };
    this.deleteTx = db.transaction((u: string, d: string) => {
      this.stmts.delKv.run(d, u);
      return this.stmts.del.run(d, u).changes > 0;
    });
  }
  private deleteTx: (u: string, d: string) => boolean;

  async create(a: Account): Promise<boolean> {
    return this.stmts.insert.run(a.domain, a.username, JSON.stringify(a.credentials), a.createdAt).changes > 0;
  }
  async get(username: string, domain: string): Promise<Account | null> {
    const row = this.stmts.get.get(domain, username) as { username: string; domain: string; credentials: string; created_at: number } | undefined;
    return row ? { username: row.username, domain: row.domain, credentials: JSON.parse(row.credentials), createdAt: row.created_at } : null;
  }
  async setCredentials(username: string, domain: string, credentials: Account['credentials']): Promise<boolean> {
    return this.stmts.setCred.run(JSON.stringify(credentials), domain, username).changes > 0;
  }
  async delete(username: string, domain: string): Promise<boolean> {
    return this.deleteTx(username, domain);
  }
  async list(domain: string, opts: { after?: string; limit?: number; search?: string } = {}): Promise<string[]> {
    return this.stmts.list.pluck().all(domain, opts.after ?? '', opts.search ?? '', Math.min(opts.limit ?? 100, 1000)) as string[];
  }
  async count(domain?: string): Promise<number> {
    return (domain === undefined ? this.stmts.count.pluck().get() : this.stmts.countDomain.pluck().get(domain)) as number;
  }
}

class SqliteKv implements KeyValueStore {
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

export function createSqliteStorage(path: string, onProgress?: (done: number, total: number, name: string) => void): Storage & { db: Db } {
  const db = openSqlite(path, onProgress);
  return {
    db,
    accounts: new SqliteAccounts(db),
    kv: new SqliteKv(db),
    async close() {
      db.close();
    },
  };
}
