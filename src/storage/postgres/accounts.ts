// PostgreSQL AccountStore. Names are compared and ordered bytewise (COLLATE "C"), like SQLite's
// BINARY collation, whatever the database's default collation is: paging by `after` must agree
// with the order the list comes in.
import type { Account, AccountStore } from '../types.ts';
import type { Migration } from './migrations.ts';
import type { PgDb } from './pool.ts';

export const accountMigrations: Migration[] = [
  {
    store: 'accounts',
    id: 1,
    name: 'accounts',
    sql: `CREATE TABLE accounts (
      domain TEXT COLLATE "C" NOT NULL,
      username TEXT COLLATE "C" NOT NULL,
      credentials TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      PRIMARY KEY (domain, username)
    );`,
  },
];

interface Row {
  username: string;
  domain: string;
  credentials: string;
  created_at: number;
}

export class PgAccounts implements AccountStore {
  constructor(private readonly db: PgDb) {}

  async create(a: Account): Promise<boolean> {
    return (await this.db.run('INSERT INTO accounts (domain, username, credentials, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [a.domain, a.username, JSON.stringify(a.credentials), a.createdAt])) > 0;
  }
  async get(username: string, domain: string): Promise<Account | null> {
    const row = await this.db.one<Row>('SELECT username, domain, credentials, created_at FROM accounts WHERE domain = $1 AND username = $2', [domain, username]);
    return row ? { username: row.username, domain: row.domain, credentials: JSON.parse(row.credentials), createdAt: row.created_at } : null;
  }
  async exists(username: string, domain: string): Promise<boolean> {
    return (await this.db.one('SELECT 1 FROM accounts WHERE domain = $1 AND username = $2', [domain, username])) !== undefined;
  }
  async setCredentials(username: string, domain: string, credentials: Account['credentials']): Promise<boolean> {
    return (await this.db.run('UPDATE accounts SET credentials = $1 WHERE domain = $2 AND username = $3', [JSON.stringify(credentials), domain, username])) > 0;
  }
  async delete(username: string, domain: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM accounts WHERE domain = $1 AND username = $2', [domain, username])) > 0;
  }
  async list(domain: string, opts: { after?: string; limit?: number; search?: string } = {}): Promise<string[]> {
    const rows = await this.db.rows<{ username: string }>(
      'SELECT username FROM accounts WHERE domain = $1 AND username > $2 AND strpos(username, $3) > 0 ORDER BY username LIMIT $4',
      [domain, opts.after ?? '', opts.search ?? '', Math.min(opts.limit ?? 100, 1000)],
    );
    return rows.map((r) => r.username);
  }
  async count(domain?: string): Promise<number> {
    const n = domain === undefined ? await this.db.value<number>('SELECT count(*) FROM accounts') : await this.db.value<number>('SELECT count(*) FROM accounts WHERE domain = $1', [domain]);
    return n ?? 0;
  }
}
