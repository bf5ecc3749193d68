// SQLite RegistrationStore (XEP-0077): usernames of cancelled accounts held back from new
// registrations until a date. Deliberately not a per-user table: the quarantine must outlive the
// account it protects (only the name and the date are kept, no other data of the old account).
import type { RegistrationStore } from '../types.ts';
import type { Db } from './db.ts';
import type { Migration } from './migrations.ts';

export const registrationMigrations: Migration[] = [
  {
    store: 'registrations',
    id: 1,
    name: 'quarantined usernames of cancelled accounts',
    sql: `CREATE TABLE quarantined_usernames (
      domain TEXT NOT NULL,
      username TEXT NOT NULL,
      until INTEGER NOT NULL,
      PRIMARY KEY (domain, username)
    );`,
  },
];

export class SqliteRegistrations implements RegistrationStore {
  private stmts;
  constructor(db: Db) {
    this.stmts = {
      put: db.prepare('INSERT INTO quarantined_usernames (domain, username, until) VALUES (?, ?, ?) ON CONFLICT (domain, username) DO UPDATE SET until = excluded.until'),
      get: db.prepare('SELECT until FROM quarantined_usernames WHERE domain = ? AND username = ?').pluck(),
      del: db.prepare('DELETE FROM quarantined_usernames WHERE domain = ? AND username = ?'),
      expire: db.prepare('DELETE FROM quarantined_usernames WHERE until <= ?'),
    };
  }
  async quarantine(username: string, domain: string, until: number): Promise<void> {
    this.stmts.put.run(domain, username, until);
  }
  async quarantinedUntil(username: string, domain: string, now = Date.now()): Promise<number | null> {
    const until = this.stmts.get.get(domain, username) as number | undefined;
    return until !== undefined && until > now ? until : null;
  }
  async release(username: string, domain: string): Promise<void> {
    this.stmts.del.run(domain, username);
  }
  async expire(now = Date.now()): Promise<number> {
    return this.stmts.expire.run(now).changes;
  }
}
