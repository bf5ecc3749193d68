// SQLite VcardStore (XEP-0054): one vCard per account as serialized XML, with the SHA-1 of its
// photo (XEP-0153) kept beside it so presence stamping never parses the vCard.
import type { StoredVcard, VcardStore } from '../types.ts';
import type { Db } from './db.ts';
import type { Migration } from './migrations.ts';

export const vcardMigrations: Migration[] = [
  {
    store: 'vcard',
    id: 1,
    name: 'vcard-temp documents',
    sql: `CREATE TABLE vcard (
      domain TEXT NOT NULL,
      username TEXT NOT NULL,
      vcard TEXT NOT NULL,
      photo_hash TEXT,
      updated_at INTEGER NOT NULL,
      PRIMARY KEY (domain, username)
    );`,
  },
];

export class SqliteVcard implements VcardStore {
  private stmts;
  constructor(db: Db) {
    this.stmts = {
      get: db.prepare('SELECT vcard, photo_hash, updated_at FROM vcard WHERE domain = ? AND username = ?'),
      photo: db.prepare('SELECT photo_hash FROM vcard WHERE domain = ? AND username = ?'),
      set: db.prepare('INSERT INTO vcard (domain, username, vcard, photo_hash, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (domain, username) DO UPDATE SET vcard = excluded.vcard, photo_hash = excluded.photo_hash, updated_at = excluded.updated_at'),
      del: db.prepare('DELETE FROM vcard WHERE domain = ? AND username = ?'),
    };
  }

  async get(u: string, d: string): Promise<StoredVcard | null> {
    const row = this.stmts.get.get(d, u) as { vcard: string; photo_hash: string | null; updated_at: number } | undefined;
    return row ? { vcard: row.vcard, photoHash: row.photo_hash, updatedAt: row.updated_at } : null;
  }
  async photoHash(u: string, d: string): Promise<string | null | undefined> {
    const row = this.stmts.photo.get(d, u) as { photo_hash: string | null } | undefined;
    return row ? row.photo_hash : undefined;
  }
  async set(u: string, d: string, v: StoredVcard | null): Promise<void> {
    if (v === null) this.stmts.del.run(d, u);
    else this.stmts.set.run(d, u, v.vcard, v.photoHash, v.updatedAt);
  }
}
