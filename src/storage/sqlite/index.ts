// SQLite driver (better-sqlite3 12.x): composes one class per store over one connection.
// A new store adds its file here: its migrations to the list and its instance to the result.
import type { Storage } from '../types.ts';
import { openDb, type Db } from './db.ts';
import { migrate, type Migration } from './migrations.ts';
import { walSyncFor } from './wal-sync.ts';
import { SqliteAccounts, accountMigrations } from './accounts.ts';
import { SqliteKv, kvMigrations } from './kv.ts';
import { SqliteOffline, offlineMigrations } from './offline.ts';
import { SqliteBlocklist, blocklistMigrations } from './blocking.ts';
import { SqliteVcard, vcardMigrations } from './vcard.ts';
import { SqliteArchive, archiveMigrations } from './archive.ts';
import { SqlitePep, pepMigrations, pepUserTables } from './pep.ts';
import { SqliteCaps, capsMigrations } from './caps.ts';
import { SqliteRoster, rosterMigrations, rosterUserTables } from './roster.ts';
import { SqliteRegistrations, registrationMigrations } from './registrations.ts';
import { SqliteMuc, mucMigrations, mucUserTables } from './muc.ts';
import { SqliteFiles, filesMigrations, filesUserTables } from './files.ts';
import { SqlitePayments, paymentMigrations } from './payments.ts';
import { SqliteMembership, membershipMigrations, membershipUserTables } from './membership.ts';

export const sqliteMigrations: Migration[] = [...accountMigrations, ...kvMigrations, ...offlineMigrations, ...blocklistMigrations, ...vcardMigrations, ...archiveMigrations, ...pepMigrations, ...capsMigrations, ...rosterMigrations, ...registrationMigrations, ...mucMigrations, ...filesMigrations, ...paymentMigrations, ...membershipMigrations];

export function createSqliteStorage(path: string, onProgress?: (done: number, total: number, name: string) => void): Storage & { db: Db } {
  const db = openDb(path);
  migrate(db, sqliteMigrations, onProgress);
  const accounts = new SqliteAccounts(db);
  const kv = new SqliteKv(db);
  const offline = new SqliteOffline(db);
  const blocklist = new SqliteBlocklist(db);
  const vcard = new SqliteVcard(db);
  const archive = new SqliteArchive(db);
  const pep = new SqlitePep(db);
  const caps = new SqliteCaps(db);
  const roster = new SqliteRoster(db);
  const registrations = new SqliteRegistrations(db);
  const muc = new SqliteMuc(db);
  const files = new SqliteFiles(db);
  // Tables keyed by (domain, username) that hold a user's data; each new per-user store adds its table here.
  const userTables = ['kv', 'offline', 'blocklist', 'vcard', 'archive_owners', ...pepUserTables, ...rosterUserTables, ...mucUserTables, ...filesUserTables, ...membershipUserTables];
  const deleteUser = db.transaction((u: string, d: string) => {
    for (const t of userTables) db.prepare(`DELETE FROM ${t} WHERE domain = ? AND username = ?`).run(d, u);
    return db.prepare('DELETE FROM accounts WHERE domain = ? AND username = ?').run(d, u).changes > 0;
  });
  return {
    db,
    accounts,
    kv,
    offline,
    blocklist,
    vcard,
    archive,
    pep,
    caps,
    roster,
    registrations,
    muc,
    files,
    payments: new SqlitePayments(db),
    membership: new SqliteMembership(db),
    async deleteUser(u, d) {
      return deleteUser(u, d);
    },
    durable: () => walSyncFor(db).synced(),
    async close() {
      walSyncFor(db).close();
      db.close();
    },
  };
}
