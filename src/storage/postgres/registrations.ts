// PostgreSQL RegistrationStore (XEP-0077): usernames of cancelled accounts held back from new
// registrations until a date. Not a per-user table: the quarantine must outlive the account.
import type { RegistrationStore } from '../types.ts';
import type { Migration } from './migrations.ts';
import type { PgDb } from './pool.ts';

export const registrationMigrations: Migration[] = [
  {
    store: 'registrations',
    id: 1,
    name: 'quarantined usernames of cancelled accounts',
    sql: `CREATE TABLE quarantined_usernames (
      domain TEXT COLLATE "C" NOT NULL,
      username TEXT COLLATE "C" NOT NULL,
      until BIGINT NOT NULL,
      PRIMARY KEY (domain, username)
    );`,
  },
  {
    store: 'registrations',
    id: 2,
    name: 'invitations for invite-only in-band registration',
    sql: `CREATE TABLE register_invites (
      token TEXT COLLATE "C" PRIMARY KEY,
      domain TEXT COLLATE "C" NOT NULL,
      uses INTEGER NOT NULL,
      expires BIGINT NOT NULL,
      created_by TEXT NOT NULL
    );`,
  },
];

export class PgRegistrations implements RegistrationStore {
  constructor(private readonly db: PgDb) {}

  async quarantine(username: string, domain: string, until: number): Promise<void> {
    await this.db.run('INSERT INTO quarantined_usernames (domain, username, until) VALUES ($1, $2, $3) ON CONFLICT (domain, username) DO UPDATE SET until = excluded.until', [domain, username, until]);
  }
  async quarantinedUntil(username: string, domain: string, now = Date.now()): Promise<number | null> {
    const until = await this.db.value<number>('SELECT until FROM quarantined_usernames WHERE domain = $1 AND username = $2', [domain, username]);
    return until !== undefined && until > now ? until : null;
  }
  async release(username: string, domain: string): Promise<void> {
    await this.db.run('DELETE FROM quarantined_usernames WHERE domain = $1 AND username = $2', [domain, username]);
  }
  async expire(now = Date.now()): Promise<number> {
    return (await this.db.run('DELETE FROM quarantined_usernames WHERE until <= $1', [now])) + (await this.db.run('DELETE FROM register_invites WHERE expires <= $1 OR uses <= 0', [now]));
  }
  async createInvite(i: { token: string; domain: string; uses: number; expires: number; createdBy: string }): Promise<void> {
    await this.db.run('INSERT INTO register_invites (token, domain, uses, expires, created_by) VALUES ($1, $2, $3, $4, $5)', [i.token, i.domain, i.uses, i.expires, i.createdBy]);
  }
  async useInvite(token: string, domain: string, now: number): Promise<boolean> {
    // One statement (row lock): two registrations racing for the last use cannot both succeed.
    return (await this.db.run('UPDATE register_invites SET uses = uses - 1 WHERE token = $1 AND domain = $2 AND uses > 0 AND expires > $3', [token, domain, now])) > 0;
  }
}
