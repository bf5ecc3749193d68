// PostgreSQL MembershipStore (XEP-0345): the same tables and behaviour as the SQLite store; the
// per-account advisory lock serialises concurrent submissions of one account.
import type { MembershipStatus, MembershipStore, StoredApplication } from '../types.ts';
import type { Migration } from './migrations.ts';
import type { PgDb } from './pool.ts';

export const membershipMigrations: Migration[] = [
  {
    store: 'membership',
    id: 1,
    name: 'membership applications with versions and a private part',
    sql: `CREATE TABLE membership_applications (
      domain TEXT COLLATE "C" NOT NULL,
      username TEXT COLLATE "C" NOT NULL,
      status TEXT NOT NULL,
      version INTEGER NOT NULL,
      public_data TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      updated_at BIGINT NOT NULL,
      PRIMARY KEY (domain, username)
    );
    CREATE TABLE membership_versions (
      domain TEXT COLLATE "C" NOT NULL,
      username TEXT COLLATE "C" NOT NULL,
      version INTEGER NOT NULL,
      public_data TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      PRIMARY KEY (domain, username, version)
    );
    CREATE TABLE membership_private (
      domain TEXT COLLATE "C" NOT NULL,
      username TEXT COLLATE "C" NOT NULL,
      data TEXT NOT NULL,
      PRIMARY KEY (domain, username)
    );`,
  },
];

export const membershipUserTables = ['membership_applications', 'membership_versions', 'membership_private'];

interface Row {
  domain: string;
  username: string;
  status: MembershipStatus;
  version: number;
  public_data: string;
  created_at: number;
  updated_at: number;
}

const toApp = (r: Row): StoredApplication => ({ username: r.username, domain: r.domain, status: r.status, version: r.version, publicData: r.public_data, createdAt: r.created_at, updatedAt: r.updated_at });

export class PgMembership implements MembershipStore {
  constructor(private readonly db: PgDb) {}

  async submit(username: string, domain: string, publicData: string, privateData: string | null, status: MembershipStatus, now: number): Promise<StoredApplication> {
    return this.db.tx(async (tx) => {
      await tx.lock('membership', domain, username);
      const row = (await tx.one<Row>(`INSERT INTO membership_applications (domain, username, status, version, public_data, created_at, updated_at) VALUES ($1, $2, $3, 1, $4, $5, $5)
        ON CONFLICT (domain, username) DO UPDATE SET status = excluded.status, version = membership_applications.version + 1, public_data = excluded.public_data, updated_at = excluded.updated_at
        RETURNING *`, [domain, username, status, publicData, now]))!;
      await tx.run('INSERT INTO membership_versions (domain, username, version, public_data, created_at) VALUES ($1, $2, $3, $4, $5)', [domain, username, row.version, publicData, now]);
      if (privateData === null) await tx.run('DELETE FROM membership_private WHERE domain = $1 AND username = $2', [domain, username]);
      else await tx.run('INSERT INTO membership_private (domain, username, data) VALUES ($1, $2, $3) ON CONFLICT (domain, username) DO UPDATE SET data = excluded.data', [domain, username, privateData]);
      return toApp(row);
    });
  }
  async get(username: string, domain: string): Promise<StoredApplication | null> {
    const r = await this.db.one<Row>('SELECT * FROM membership_applications WHERE domain = $1 AND username = $2', [domain, username]);
    return r ? toApp(r) : null;
  }
  async privateData(username: string, domain: string): Promise<string | null> {
    return (await this.db.value<string>('SELECT data FROM membership_private WHERE domain = $1 AND username = $2', [domain, username])) ?? null;
  }
  async list(domain: string): Promise<StoredApplication[]> {
    return (await this.db.rows<Row>('SELECT * FROM membership_applications WHERE domain = $1 ORDER BY created_at, username', [domain])).map(toApp);
  }
  async setStatus(username: string, domain: string, status: MembershipStatus, now: number): Promise<boolean> {
    return (await this.db.run('UPDATE membership_applications SET status = $1, updated_at = $2 WHERE domain = $3 AND username = $4', [status, now, domain, username])) > 0;
  }
  async versions(username: string, domain: string): Promise<Array<{ version: number; publicData: string; createdAt: number }>> {
    const rows = await this.db.rows<{ version: number; public_data: string; created_at: number }>('SELECT version, public_data, created_at FROM membership_versions WHERE domain = $1 AND username = $2 ORDER BY version', [domain, username]);
    return rows.map((r) => ({ version: r.version, publicData: r.public_data, createdAt: r.created_at }));
  }
}
