// SQLite MembershipStore (XEP-0345): one application per account, every public version kept, the
// private part (ciphertext from the membership module) in a table of its own. All three tables
// are per-user tables, so deleting the account deletes the application.
import type { MembershipStatus, MembershipStore, StoredApplication } from '../types.ts';
import type { Db } from './db.ts';
import type { Migration } from './migrations.ts';

export const membershipMigrations: Migration[] = [
  {
    store: 'membership',
    id: 1,
    name: 'membership applications with versions and a private part',
    sql: `CREATE TABLE membership_applications (
      domain TEXT NOT NULL,
      username TEXT NOT NULL,
      status TEXT NOT NULL,
      version INTEGER NOT NULL,
      public_data TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      PRIMARY KEY (domain, username)
    );
    CREATE TABLE membership_versions (
      domain TEXT NOT NULL,
      username TEXT NOT NULL,
      version INTEGER NOT NULL,
      public_data TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      PRIMARY KEY (domain, username, version)
    );
    CREATE TABLE membership_private (
      domain TEXT NOT NULL,
      username TEXT NOT NULL,
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

export class SqliteMembership implements MembershipStore {
  private stmts;
  private submitTx;
  constructor(db: Db) {
    this.stmts = {
      get: db.prepare('SELECT * FROM membership_applications WHERE domain = ? AND username = ?'),
      upsert: db.prepare(`INSERT INTO membership_applications (domain, username, status, version, public_data, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?, ?)
        ON CONFLICT (domain, username) DO UPDATE SET status = excluded.status, version = membership_applications.version + 1, public_data = excluded.public_data, updated_at = excluded.updated_at`),
      version: db.prepare('INSERT INTO membership_versions (domain, username, version, public_data, created_at) VALUES (?, ?, ?, ?, ?)'),
      putPrivate: db.prepare('INSERT INTO membership_private (domain, username, data) VALUES (?, ?, ?) ON CONFLICT (domain, username) DO UPDATE SET data = excluded.data'),
      delPrivate: db.prepare('DELETE FROM membership_private WHERE domain = ? AND username = ?'),
      getPrivate: db.prepare('SELECT data FROM membership_private WHERE domain = ? AND username = ?').pluck(),
      list: db.prepare('SELECT * FROM membership_applications WHERE domain = ? ORDER BY created_at, username'),
      status: db.prepare('UPDATE membership_applications SET status = ?, updated_at = ? WHERE domain = ? AND username = ?'),
      versions: db.prepare('SELECT version, public_data, created_at FROM membership_versions WHERE domain = ? AND username = ? ORDER BY version'),
    };
    this.submitTx = db.transaction((u: string, d: string, pub: string, priv: string | null, status: MembershipStatus, now: number) => {
      this.stmts.upsert.run(d, u, status, pub, now, now);
      const row = this.stmts.get.get(d, u) as Row;
      this.stmts.version.run(d, u, row.version, pub, now);
      if (priv === null) this.stmts.delPrivate.run(d, u);
      else this.stmts.putPrivate.run(d, u, priv);
      return toApp(row);
    });
  }
  async submit(username: string, domain: string, publicData: string, privateData: string | null, status: MembershipStatus, now: number): Promise<StoredApplication> {
    return this.submitTx(username, domain, publicData, privateData, status, now);
  }
  async get(username: string, domain: string): Promise<StoredApplication | null> {
    const r = this.stmts.get.get(domain, username) as Row | undefined;
    return r ? toApp(r) : null;
  }
  async privateData(username: string, domain: string): Promise<string | null> {
    return (this.stmts.getPrivate.get(domain, username) as string | undefined) ?? null;
  }
  async list(domain: string): Promise<StoredApplication[]> {
    return (this.stmts.list.all(domain) as Row[]).map(toApp);
  }
  async setStatus(username: string, domain: string, status: MembershipStatus, now: number): Promise<boolean> {
    return this.stmts.status.run(status, now, domain, username).changes > 0;
  }
  async versions(username: string, domain: string): Promise<Array<{ version: number; publicData: string; createdAt: number }>> {
    return (this.stmts.versions.all(domain, username) as Array<{ version: number; public_data: string; created_at: number }>).map((r) => ({ version: r.version, publicData: r.public_data, createdAt: r.created_at }));
  }
}
