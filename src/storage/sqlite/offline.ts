// SQLite OfflineStore: messages kept for an account with no available resource (XEP-0160),
// in arrival order (an explicit increasing id), under a per-user quota checked atomically.
import type { OfflineMessage, OfflineQuota, OfflineStore } from '../types.ts';
import type { Db } from './db.ts';
import type { Migration } from './migrations.ts';
import { walSyncFor } from './wal-sync.ts';

export const offlineMigrations: Migration[] = [
  {
    store: 'offline',
    id: 1,
    name: 'offline messages',
    sql: `CREATE TABLE offline (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      domain TEXT NOT NULL,
      username TEXT NOT NULL,
      stanza TEXT NOT NULL,
      bytes INTEGER NOT NULL,
      stored_at INTEGER NOT NULL
    );
    CREATE INDEX offline_user ON offline (domain, username, id);`,
  },
];

export class SqliteOffline implements OfflineStore {
  private stmts;
  private appendTx;
  private deleteTx;
  constructor(private readonly db: Db) {
    this.stmts = {
      usage: db.prepare('SELECT count(*) AS n, coalesce(sum(bytes), 0) AS bytes FROM offline WHERE domain = ? AND username = ?'),
      insert: db.prepare('INSERT INTO offline (domain, username, stanza, bytes, stored_at) VALUES (?, ?, ?, ?, ?)'),
      list: db.prepare('SELECT id, stanza, stored_at FROM offline WHERE domain = ? AND username = ? ORDER BY id LIMIT ?'),
      del: db.prepare('DELETE FROM offline WHERE domain = ? AND username = ? AND id = ?'),
      count: db.prepare('SELECT count(*) FROM offline WHERE domain = ? AND username = ?').pluck(),
    };
    // Quota check and insert in one transaction, so two senders cannot both take the last slot.
    this.appendTx = db.transaction((u: string, d: string, stanza: string, storedAt: number, quota: OfflineQuota): boolean => {
      const bytes = Buffer.byteLength(stanza, 'utf8');
      const usage = this.stmts.usage.get(d, u) as { n: number; bytes: number };
      if (usage.n + 1 > quota.maxMessages || usage.bytes + bytes > quota.maxBytes) return false;
      this.stmts.insert.run(d, u, stanza, bytes, storedAt);
      return true;
    });
    this.deleteTx = db.transaction((u: string, d: string, ids: number[]) => {
      for (const id of ids) this.stmts.del.run(d, u, id);
    });
  }

  async append(u: string, d: string, stanza: string, storedAt: number, quota: OfflineQuota): Promise<boolean> {
    // Committed without an inline fsync; resolves once it is on disk (wal-sync.ts).
    return walSyncFor(this.db).commit(() => this.appendTx(u, d, stanza, storedAt, quota));
  }
  async list(u: string, d: string, limit = 10_000): Promise<OfflineMessage[]> {
    const rows = this.stmts.list.all(d, u, limit) as { id: number; stanza: string; stored_at: number }[];
    return rows.map((r) => ({ id: r.id, stanza: r.stanza, storedAt: r.stored_at }));
  }
  async delete(u: string, d: string, ids: number[]): Promise<void> {
    if (ids.length > 0) this.deleteTx(u, d, ids);
  }
  async count(u: string, d: string): Promise<number> {
    return this.stmts.count.get(d, u) as number;
  }
}
