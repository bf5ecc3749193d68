// PostgreSQL driver (node-postgres): composes one class per store over one connection pool, for
// a cluster of Parley nodes sharing one database. A new store adds its file here: its migrations
// to the list, its instance to the result, and its per-user tables to userTables (the same lists
// as storage/sqlite/index.ts; the contract tests in test/storage/contract hold both to the same
// behaviour).
import type { Storage } from '../types.ts';
import { migrate, pendingMigrations, type Migration } from './migrations.ts';
import { PgDb, type PgOptions } from './pool.ts';
import { PgAccounts, accountMigrations } from './accounts.ts';
import { PgKv, kvMigrations } from './kv.ts';
import { PgOffline, offlineMigrations } from './offline.ts';
import { PgBlocklist, blocklistMigrations } from './blocking.ts';
import { PgVcard, vcardMigrations } from './vcard.ts';
import { PgArchive, archiveMigrations } from './archive.ts';
import { PgPep, pepMigrations, pepUserTables } from './pep.ts';
import { PgCaps, capsMigrations } from './caps.ts';
import { PgRoster, rosterMigrations, rosterUserTables } from './roster.ts';
import { PgRegistrations, registrationMigrations } from './registrations.ts';
import { PgMuc, mucMigrations, mucUserTables } from './muc.ts';
import { PgFiles, filesMigrations, filesUserTables } from './files.ts';
import { PgPayments, paymentMigrations } from './payments.ts';
import { PgMembership, membershipMigrations, membershipUserTables } from './membership.ts';

export const postgresMigrations: Migration[] = [...accountMigrations, ...kvMigrations, ...offlineMigrations, ...blocklistMigrations, ...vcardMigrations, ...archiveMigrations, ...pepMigrations, ...capsMigrations, ...rosterMigrations, ...registrationMigrations, ...mucMigrations, ...filesMigrations, ...paymentMigrations, ...membershipMigrations];

// Tables keyed by (domain, username) that hold a user's data; archive_owners cascades to its messages.
const userTables = ['kv', 'offline', 'blocklist', 'vcard', 'archive_owners', ...pepUserTables, ...rosterUserTables, ...mucUserTables, ...filesUserTables, ...membershipUserTables];

export interface PostgresStorageOptions extends PgOptions {
  /** Apply pending migrations (true), or refuse to open a database that has any (false). */
  migrate?: boolean;
  onProgress?: (done: number, total: number, name: string) => void;
  /** Clock for archive keys (tests). */
  now?: () => number;
}

export class MigrationsPendingError extends Error {}

export async function createPostgresStorage(opts: PostgresStorageOptions): Promise<Storage & { db: PgDb }> {
  const db = new PgDb(opts);
  try {
    if (opts.migrate ?? true) await migrate(db, postgresMigrations, opts.onProgress);
    else {
      const pending = await pendingMigrations(db, postgresMigrations);
      if (pending.length > 0) throw new MigrationsPendingError(`${pending.length} storage migrations are pending (first: ${pending[0].store}: ${pending[0].name}); run \`parley migrate\``);
    }
  } catch (err) {
    await db.close();
    throw err;
  }
  return {
    db,
    accounts: new PgAccounts(db),
    kv: new PgKv(db),
    offline: new PgOffline(db),
    blocklist: new PgBlocklist(db),
    vcard: new PgVcard(db),
    archive: new PgArchive(db, opts.now),
    pep: new PgPep(db),
    caps: new PgCaps(db),
    roster: new PgRoster(db),
    registrations: new PgRegistrations(db),
    muc: new PgMuc(db),
    files: new PgFiles(db),
    payments: new PgPayments(db),
    membership: new PgMembership(db),
    async deleteUser(u, d) {
      return db.tx(async (tx) => {
        for (const t of userTables) await tx.run(`DELETE FROM ${t} WHERE domain = $1 AND username = $2`, [d, u]);
        return (await tx.run('DELETE FROM accounts WHERE domain = $1 AND username = $2', [d, u])) > 0;
      });
    },
    async close() {
      await db.close();
    },
  };
}

/** Apply pending migrations and close: `parley migrate`. Returns how many were applied. */
export async function migratePostgres(opts: PgOptions, onProgress?: (done: number, total: number, name: string) => void): Promise<{ applied: number; total: number }> {
  const db = new PgDb(opts);
  try {
    const applied = await migrate(db, postgresMigrations, onProgress);
    return { applied, total: postgresMigrations.length };
  } finally {
    await db.close();
  }
}
