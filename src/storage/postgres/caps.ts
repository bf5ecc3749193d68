// PostgreSQL CapsStore: verified XEP-0115 verification strings and the disco#info features behind
// them, shared by every account (XEP-0115 §5.4). Bounded: past maxEntries the least recently used
// rows go. Recency is a sequence value taken at every put and hit (`tick`), not the clock, so two
// uses in the same millisecond, or on nodes whose clocks differ, still have an order.
import type { CapsStore } from '../types.ts';
import type { Migration } from './migrations.ts';
import type { PgDb } from './pool.ts';

export const capsMigrations: Migration[] = [
  {
    store: 'caps',
    id: 1,
    name: 'verified entity capabilities cache',
    sql: `CREATE SEQUENCE caps_cache_tick;
    CREATE TABLE caps_cache (
      hash TEXT COLLATE "C" NOT NULL,
      ver TEXT COLLATE "C" NOT NULL,
      features TEXT NOT NULL,
      last_used BIGINT NOT NULL,
      tick BIGINT NOT NULL DEFAULT nextval('caps_cache_tick'),
      PRIMARY KEY (hash, ver)
    );
    CREATE INDEX caps_cache_lru ON caps_cache (tick);`,
  },
];

export class PgCaps implements CapsStore {
  constructor(private readonly db: PgDb) {}

  async get(hash: string, ver: string): Promise<string[] | null> {
    const text = await this.db.value<string>("UPDATE caps_cache SET last_used = $1, tick = nextval('caps_cache_tick') WHERE hash = $2 AND ver = $3 RETURNING features", [Date.now(), hash, ver]);
    return text === undefined ? null : (JSON.parse(text) as string[]);
  }

  async put(hash: string, ver: string, features: string[], maxEntries: number): Promise<void> {
    await this.db.tx(async (tx) => {
      await tx.lock('caps');
      await tx.run(
        `INSERT INTO caps_cache (hash, ver, features, last_used) VALUES ($1, $2, $3, $4)
         ON CONFLICT (hash, ver) DO UPDATE SET features = excluded.features, last_used = excluded.last_used, tick = nextval('caps_cache_tick')`,
        [hash, ver, JSON.stringify(features), Date.now()],
      );
      const over = ((await tx.value<number>('SELECT count(*) FROM caps_cache')) ?? 0) - Math.max(1, maxEntries);
      if (over > 0) await tx.run('DELETE FROM caps_cache WHERE (hash, ver) IN (SELECT hash, ver FROM caps_cache ORDER BY tick LIMIT $1)', [over]);
    });
  }
}
