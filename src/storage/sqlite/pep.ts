// SQLite PepStore: every account's PEP nodes (XEP-0163), their items in publish order and the
// owner-managed affiliations (whitelist). Items carry a global sequence so "publish order" is
// explicit: re-publishing an id deletes the old row and inserts a new one (XEP-0060 §12.1 data
// model: the re-published item becomes the newest).
import type { PepAffiliation, PepItem, PepNode, PepNodeConfig, PepStore } from '../types.ts';
import type { Db } from './db.ts';
import type { Migration } from './migrations.ts';

export const pepMigrations: Migration[] = [
  {
    store: 'pep',
    id: 1,
    name: 'PEP nodes, items and affiliations',
    sql: `CREATE TABLE pep_nodes (
      domain TEXT NOT NULL,
      username TEXT NOT NULL,
      node TEXT NOT NULL,
      config TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      PRIMARY KEY (domain, username, node)
    );
    CREATE TABLE pep_items (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      domain TEXT NOT NULL,
      username TEXT NOT NULL,
      node TEXT NOT NULL,
      item_id TEXT NOT NULL,
      publisher TEXT NOT NULL,
      payload TEXT NOT NULL,
      published_at INTEGER NOT NULL,
      UNIQUE (domain, username, node, item_id)
    );
    CREATE INDEX pep_items_by_node ON pep_items (domain, username, node, seq);
    CREATE TABLE pep_affiliations (
      domain TEXT NOT NULL,
      username TEXT NOT NULL,
      node TEXT NOT NULL,
      jid TEXT NOT NULL,
      affiliation TEXT NOT NULL,
      PRIMARY KEY (domain, username, node, jid)
    );`,
  },
];

/** Tables holding per-user rows, for account deletion. */
export const pepUserTables = ['pep_nodes', 'pep_items', 'pep_affiliations'];

interface NodeRow {
  node: string;
  config: string;
  created_at: number;
}
interface ItemRow {
  item_id: string;
  publisher: string;
  payload: string;
  published_at: number;
}

const toNode = (r: NodeRow): PepNode => ({ node: r.node, config: JSON.parse(r.config) as PepNodeConfig, createdAt: r.created_at });
const toItem = (r: ItemRow): PepItem => ({ id: r.item_id, publisher: r.publisher, payload: r.payload, publishedAt: r.published_at });

export class SqlitePep implements PepStore {
  private readonly s;
  private readonly publishTx;
  private readonly deleteNodeTx;

  constructor(private readonly db: Db) {
    this.s = {
      getNode: db.prepare('SELECT node, config, created_at FROM pep_nodes WHERE domain = ? AND username = ? AND node = ?'),
      listNodes: db.prepare('SELECT node, config, created_at FROM pep_nodes WHERE domain = ? AND username = ? ORDER BY node'),
      countNodes: db.prepare('SELECT COUNT(*) FROM pep_nodes WHERE domain = ? AND username = ?').pluck(),
      createNode: db.prepare('INSERT INTO pep_nodes (domain, username, node, config, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING'),
      setConfig: db.prepare('UPDATE pep_nodes SET config = ? WHERE domain = ? AND username = ? AND node = ?'),
      delNode: db.prepare('DELETE FROM pep_nodes WHERE domain = ? AND username = ? AND node = ?'),
      delNodeAffs: db.prepare('DELETE FROM pep_affiliations WHERE domain = ? AND username = ? AND node = ?'),
      delItem: db.prepare('DELETE FROM pep_items WHERE domain = ? AND username = ? AND node = ? AND item_id = ?'),
      insItem: db.prepare('INSERT INTO pep_items (domain, username, node, item_id, publisher, payload, published_at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      purge: db.prepare('DELETE FROM pep_items WHERE domain = ? AND username = ? AND node = ?'),
      // The newest maxItems stay; everything older goes (retract-oldest, XEP-0060 §7.1.2.5).
      overflow: db.prepare('SELECT item_id FROM pep_items WHERE domain = ? AND username = ? AND node = ? ORDER BY seq DESC LIMIT -1 OFFSET ?').pluck(),
      all: db.prepare('SELECT item_id, publisher, payload, published_at FROM pep_items WHERE domain = ? AND username = ? AND node = ? ORDER BY seq'),
      last: db.prepare('SELECT * FROM (SELECT seq, item_id, publisher, payload, published_at FROM pep_items WHERE domain = ? AND username = ? AND node = ? ORDER BY seq DESC LIMIT ?) ORDER BY seq'),
      byIds: db.prepare('SELECT item_id, publisher, payload, published_at FROM pep_items WHERE domain = ? AND username = ? AND node = ? AND item_id IN (SELECT value FROM json_each(?)) ORDER BY seq'),
      affs: db.prepare('SELECT jid, affiliation FROM pep_affiliations WHERE domain = ? AND username = ? AND node = ? ORDER BY jid'),
      setAff: db.prepare('INSERT INTO pep_affiliations (domain, username, node, jid, affiliation) VALUES (?, ?, ?, ?, ?) ON CONFLICT (domain, username, node, jid) DO UPDATE SET affiliation = excluded.affiliation'),
      delAff: db.prepare('DELETE FROM pep_affiliations WHERE domain = ? AND username = ? AND node = ? AND jid = ?'),
    };
    this.publishTx = db.transaction((u: string, d: string, node: string, item: PepItem, maxItems: number): string[] => {
      this.s.delItem.run(d, u, node, item.id);
      this.s.insItem.run(d, u, node, item.id, item.publisher, item.payload, item.publishedAt);
      return this.trimSync(u, d, node, maxItems);
    });
    this.deleteNodeTx = db.transaction((u: string, d: string, node: string): boolean => {
      this.s.purge.run(d, u, node);
      this.s.delNodeAffs.run(d, u, node);
      return this.s.delNode.run(d, u, node).changes > 0;
    });
  }

  private trimSync(u: string, d: string, node: string, maxItems: number): string[] {
    const dropped = this.s.overflow.all(d, u, node, Math.max(0, maxItems)) as string[];
    for (const id of dropped) this.s.delItem.run(d, u, node, id);
    return dropped.reverse(); // oldest first
  }

  async getNode(u: string, d: string, node: string): Promise<PepNode | null> {
    const r = this.s.getNode.get(d, u, node) as NodeRow | undefined;
    return r ? toNode(r) : null;
  }
  async listNodes(u: string, d: string): Promise<PepNode[]> {
    return (this.s.listNodes.all(d, u) as NodeRow[]).map(toNode);
  }
  async countNodes(u: string, d: string): Promise<number> {
    return this.s.countNodes.get(d, u) as number;
  }
  async createNode(u: string, d: string, node: string, config: PepNodeConfig): Promise<boolean> {
    return this.s.createNode.run(d, u, node, JSON.stringify(config), Date.now()).changes > 0;
  }
  async setConfig(u: string, d: string, node: string, config: PepNodeConfig): Promise<boolean> {
    return this.s.setConfig.run(JSON.stringify(config), d, u, node).changes > 0;
  }
  async deleteNode(u: string, d: string, node: string): Promise<boolean> {
    return this.deleteNodeTx(u, d, node);
  }
  async publish(u: string, d: string, node: string, item: PepItem, maxItems: number): Promise<string[]> {
    return this.publishTx(u, d, node, item, maxItems);
  }
  async trim(u: string, d: string, node: string, maxItems: number): Promise<string[]> {
    return this.db.transaction(() => this.trimSync(u, d, node, maxItems))();
  }
  async items(u: string, d: string, node: string, opts: { ids?: string[]; last?: number } = {}): Promise<PepItem[]> {
    // In publish order, whatever order the ids were asked in.
    if (opts.ids) return (this.s.byIds.all(d, u, node, JSON.stringify(opts.ids)) as ItemRow[]).map(toItem);
    if (opts.last !== undefined) return (this.s.last.all(d, u, node, Math.max(0, opts.last)) as ItemRow[]).map(toItem);
    return (this.s.all.all(d, u, node) as ItemRow[]).map(toItem);
  }
  async retract(u: string, d: string, node: string, id: string): Promise<boolean> {
    return this.s.delItem.run(d, u, node, id).changes > 0;
  }
  async purge(u: string, d: string, node: string): Promise<void> {
    this.s.purge.run(d, u, node);
  }
  async affiliations(u: string, d: string, node: string): Promise<PepAffiliation[]> {
    return this.s.affs.all(d, u, node) as PepAffiliation[];
  }
  async setAffiliation(u: string, d: string, node: string, jid: string, affiliation: string | null): Promise<void> {
    if (affiliation === null) this.s.delAff.run(d, u, node, jid);
    else this.s.setAff.run(d, u, node, jid, affiliation);
  }
}
