// SQLite AccountStore.
import type { Account, AccountStore } from '../types.ts';
import type { Db } from './db.ts';
import type { Migration } from './migrations.ts';

export const accountMigrations: Migration[] = [
  {
    store: 'accounts',
    id: 1,
    name: 'accounts',
    sql: `CREATE TABLE accounts (
      domain TEXT NOT NULL,
      username TEXT NOT NULL,
      credentials TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      PRIMARY KEY (domain, username)
    );`,
  },
];

export class SqliteAccounts implements AccountStore {
  private stmts;
  constructor(db: Db) {
    this.stmts = {
      insert: db.prepare('INSERT OR IGNORE INTO accounts (domain, username, credentials, created_at) VALUES (?, ?, ?, ?)'),
      exists: db.prepare('SELECT 1 FROM accounts WHERE domain = ? AND username = ?').pluck(),
      get: db.prepare('SELECT username, domain, credentials, created_at FROM accounts WHERE domain = ? AND username = ?'),
      setCred: db.prepare('UPDATE accounts SET credentials = ? WHERE domain = ? AND username = ?'),
      del: db.prepare('DELETE FROM accounts WHERE domain = ? AND username = ?'),
      list: db.prepare('SELECT username FROM accounts WHERE domain = ? AND username > ? AND instr(username, ?) > 0 ORDER BY username LIMIT ?').pluck(),
      count: db.prepare('SELECT count(*) FROM accounts').pluck(),
      countDomain: db.prepare('SELECT count(*) FROM accounts WHERE domain = ?').pluck(),
    };
  }

  async create(a: Account): Promise<boolean> {
    return this.stmts.insert.run(a.domain, a.username, JSON.stringify(a.credentials), a.createdAt).changes > 0;
  }
  async exists(username: string, domain: string): Promise<boolean> {
    return this.stmts.exists.get(domain, username) !== undefined;
  }
  async get(username: string, domain: string): Promise<Account | null> {
    const row = this.stmts.get.get(domain, username) as { username: string; domain: string; credentials: string; created_at: number } | undefined;
    return row ? { username: row.username, domain: row.domain, credentials: JSON.parse(row.credentials), createdAt: row.created_at } : null;
  }
  async setCredentials(username: string, domain: string, credentials: Account['credentials']): Promise<boolean> {
    return this.stmts.setCred.run(JSON.stringify(credentials), domain, username).changes > 0;
  }
  async delete(username: string, domain: string): Promise<boolean> {
    return this.stmts.del.run(domain, username).changes > 0;
  }
  async list(domain: string, opts: { after?: string; limit?: number; search?: string } = {}): Promise<string[]> {
    return this.stmts.list.all(domain, opts.after ?? '', opts.search ?? '', Math.min(opts.limit ?? 100, 1000)) as string[];
  }
  async count(domain?: string): Promise<number> {
    return (domain === undefined ? this.stmts.count.get() : this.stmts.countDomain.get(domain)) as number;
  }
}
