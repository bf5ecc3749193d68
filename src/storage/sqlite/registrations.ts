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
  {
    store: 'registrations',
    id: 2,
    name: 'invitations for invite-only in-band registration',
    sql: `CREATE TABLE register_invites (
      token TEXT PRIMARY KEY,
      domain TEXT NOT NULL,
      uses INTEGER NOT NULL,
      expires INTEGER NOT NULL,
      created_by TEXT NOT NULL
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
      expireInvites: db.prepare('DELETE FROM register_invites WHERE expires <= ? OR uses <= 0'),
      putInvite: db.prepare('INSERT INTO register_invites (token, domain, uses, expires, created_by) VALUES (?, ?, ?, ?, ?)'),
      useInvite: db.prepare('UPDATE register_invites SET uses = uses - 1 WHERE token = ? AND domain = ? AND uses > 0 AND expires > ?'),
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
    return this.stmts.expire.run(now).changes + this.stmts.expireInvites.run(now).changes;
  }
  async createInvite(i: { token: string; domain: string; uses: number; expires: number; createdBy: string }): Promise<void> {
    this.stmts.putInvite.run(i.token, i.domain, i.uses, i.expires, i.createdBy);
  }
  async useInvite(token: string, domain: string, now: number): Promise<boolean> {
    // One statement: two registrations racing for the last use cannot both succeed.
    return this.stmts.useInvite.run(token, domain, now).changes > 0;
  }
}
