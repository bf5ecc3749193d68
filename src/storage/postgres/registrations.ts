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
    return this.db.run('DELETE FROM quarantined_usernames WHERE until <= $1', [now]);
  }
}
