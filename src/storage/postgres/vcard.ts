// PostgreSQL VcardStore (XEP-0054): one vCard per account as serialized XML, with the SHA-1 of its
// photo (XEP-0153) kept beside it so presence stamping never parses the vCard.
import type { StoredVcard, VcardStore } from '../types.ts';
import type { Migration } from './migrations.ts';
import type { PgDb } from './pool.ts';

export const vcardMigrations: Migration[] = [
  {
    store: 'vcard',
    id: 1,
    name: 'vcard-temp documents',
    sql: `CREATE TABLE vcard (
      domain TEXT COLLATE "C" NOT NULL,
      username TEXT COLLATE "C" NOT NULL,
      vcard TEXT NOT NULL,
      photo_hash TEXT,
      updated_at BIGINT NOT NULL,
      PRIMARY KEY (domain, username)
    );`,
  },
];

export class PgVcard implements VcardStore {
  constructor(private readonly db: PgDb) {}

  async get(u: string, d: string): Promise<StoredVcard | null> {
    const row = await this.db.one<{ vcard: string; photo_hash: string | null; updated_at: number }>('SELECT vcard, photo_hash, updated_at FROM vcard WHERE domain = $1 AND username = $2', [d, u]);
    return row ? { vcard: row.vcard, photoHash: row.photo_hash, updatedAt: row.updated_at } : null;
  }
  async photoHash(u: string, d: string): Promise<string | null | undefined> {
    const row = await this.db.one<{ photo_hash: string | null }>('SELECT photo_hash FROM vcard WHERE domain = $1 AND username = $2', [d, u]);
    return row ? row.photo_hash : undefined;
  }
  async set(u: string, d: string, v: StoredVcard | null): Promise<void> {
    if (v === null) await this.db.run('DELETE FROM vcard WHERE domain = $1 AND username = $2', [d, u]);
    else
      await this.db.run(
        `INSERT INTO vcard (domain, username, vcard, photo_hash, updated_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (domain, username) DO UPDATE SET vcard = excluded.vcard, photo_hash = excluded.photo_hash, updated_at = excluded.updated_at`,
        [d, u, v.vcard, v.photoHash, v.updatedAt],
      );
  }
}
