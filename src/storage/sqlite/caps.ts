// SQLite CapsStore: verified XEP-0115 verification strings and the disco#info features behind
// them, shared by every account (XEP-0115 §5.4: a verified ver may be cached globally). Bounded:
// past maxEntries the least recently used rows go.
import type { CapsStore } from '../types.ts';
import type { Db } from './db.ts';
import type { Migration } from './migrations.ts';

export const capsMigrations: Migration[] = [
  {
    store: 'caps',
    id: 1,
    name: 'verified entity capabilities cache',
    sql: `CREATE TABLE caps_cache (
      hash TEXT NOT NULL,
      ver TEXT NOT NULL,
      features TEXT NOT NULL,
      last_used INTEGER NOT NULL,
      PRIMARY KEY (hash, ver)
    );
    CREATE INDEX caps_cache_lru ON caps_cache (last_used);`,
  },
];

export class SqliteCaps implements CapsStore {
  private readonly s;
  private readonly putTx;

  constructor(db: Db) {
    this.s = {
      get: db.prepare('SELECT features FROM caps_cache WHERE hash = ? AND ver = ?').pluck(),
      touch: db.prepare('UPDATE caps_cache SET last_used = ? WHERE hash = ? AND ver = ?'),
      put: db.prepare('INSERT INTO caps_cache (hash, ver, features, last_used) VALUES (?, ?, ?, ?) ON CONFLICT (hash, ver) DO UPDATE SET features = excluded.features, last_used = excluded.last_used'),
      count: db.prepare('SELECT COUNT(*) FROM caps_cache').pluck(),
      evict: db.prepare('DELETE FROM caps_cache WHERE rowid IN (SELECT rowid FROM caps_cache ORDER BY last_used, rowid LIMIT ?)'),
    };
    this.putTx = db.transaction((hash: string, ver: string, features: string[], maxEntries: number) => {
      this.s.put.run(hash, ver, JSON.stringify(features), Date.now());
      const over = (this.s.count.get() as number) - maxEntries;
      if (over > 0) this.s.evict.run(over);
    });
  }

  async get(hash: string, ver: string): Promise<string[] | null> {
    const text = this.s.get.get(hash, ver) as string | undefined;
    if (text === undefined) return null;
    this.s.touch.run(Date.now(), hash, ver);
    return JSON.parse(text) as string[];
  }

  async put(hash: string, ver: string, features: string[], maxEntries: number): Promise<void> {
    this.putTx(hash, ver, features, Math.max(1, maxEntries));
  }
}
