// SQLite BlocklistStore (XEP-0191): each account's blocked JIDs in the order they were blocked
// (an explicit increasing id), one row per JID.
import type { BlocklistStore } from '../types.ts';
import type { Db } from './db.ts';
import type { Migration } from './migrations.ts';

export const blocklistMigrations: Migration[] = [
  {
    store: 'blocklist',
    id: 1,
    name: 'blocked JIDs',
    sql: `CREATE TABLE blocklist (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      domain TEXT NOT NULL,
      username TEXT NOT NULL,
      jid TEXT NOT NULL,
      UNIQUE (domain, username, jid)
    );`,
  },
];

export class SqliteBlocklist implements BlocklistStore {
  private stmts;
  private addTx;
  private removeTx;
  private clearTx;
  constructor(db: Db) {
    this.stmts = {
      list: db.prepare('SELECT jid FROM blocklist WHERE domain = ? AND username = ? ORDER BY id').pluck(),
      insert: db.prepare('INSERT OR IGNORE INTO blocklist (domain, username, jid) VALUES (?, ?, ?)'),
      del: db.prepare('DELETE FROM blocklist WHERE domain = ? AND username = ? AND jid = ?'),
      clear: db.prepare('DELETE FROM blocklist WHERE domain = ? AND username = ?'),
    };
    this.addTx = db.transaction((u: string, d: string, jids: string[]) => jids.filter((j) => this.stmts.insert.run(d, u, j).changes > 0));
    this.removeTx = db.transaction((u: string, d: string, jids: string[]) => jids.filter((j) => this.stmts.del.run(d, u, j).changes > 0));
    this.clearTx = db.transaction((u: string, d: string) => {
      const all = this.stmts.list.all(d, u) as string[];
      this.stmts.clear.run(d, u);
      return all;
    });
  }

  async list(u: string, d: string): Promise<string[]> {
    return this.stmts.list.all(d, u) as string[];
  }
  async add(u: string, d: string, jids: string[]): Promise<string[]> {
    return this.addTx(u, d, jids);
  }
  async remove(u: string, d: string, jids: string[]): Promise<string[]> {
    return this.removeTx(u, d, jids);
  }
  async clear(u: string, d: string): Promise<string[]> {
    return this.clearTx(u, d);
  }
}
