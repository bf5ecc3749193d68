// SQLite ArchiveStore: message archives (XEP-0313) for users and rooms, paged with cursors.
//
// Every message gets a `key`: an integer that is both the table's rowid and the archive order,
// key = archived_at_ms * 1024 + counter, kept strictly increasing by one generator per database
// (so it never repeats, even when the clock steps back). The public id is the key (11 base32
// characters, so ids sort like the archive) followed by a random 48-bit nonce (10 characters):
// ordered, never reused, and not guessable (XEP-0313 §3 "unpredictable", XEP-0359 §3).
// Paging is a range scan on (owner, key) or (owner, with_bare, key); there is no OFFSET anywhere.
// An imported message (ArchiveEntry.timestamp) is keyed at its own millisecond instead, with the
// next counter free in that millisecond (importedKey); live messages still go above every key.
import { randomBytes } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { ArchiveEntry, ArchiveOwner, ArchivePage, ArchiveQuery, ArchiveStore, ArchivedMessage } from '../types.ts';
import type { Db } from './db.ts';
import type { Migration } from './migrations.ts';
import { walSyncFor } from './wal-sync.ts';

export const archiveMigrations: Migration[] = [
  {
    store: 'archive',
    id: 1,
    name: 'message archives keyed by owner, ordered by a time-based key',
    sql: `CREATE TABLE archive_owners (
      id INTEGER PRIMARY KEY,
      domain TEXT NOT NULL,
      username TEXT NOT NULL,
      UNIQUE (domain, username)
    );
    CREATE TABLE archive_messages (
      key INTEGER PRIMARY KEY,
      owner INTEGER NOT NULL REFERENCES archive_owners (id) ON DELETE CASCADE,
      nonce INTEGER NOT NULL,
      with_bare TEXT NOT NULL,
      with_resource TEXT NOT NULL,
      outgoing INTEGER NOT NULL,
      stanza TEXT NOT NULL
    );
    CREATE INDEX archive_messages_owner ON archive_messages (owner, key);
    CREATE INDEX archive_messages_owner_with ON archive_messages (owner, with_bare, key);`,
  },
  {
    store: 'archive',
    id: 2,
    // A user's query leaves groupchat out (XEP-0313 §4.1.4). Testing the stored start tag read
    // every row of the result set from the table to count it (2 ms for 5,000 messages); with the
    // flag at the end of both indexes the bounded count reads the index alone.
    name: 'groupchat flag, in the owner indexes so counts read the index only',
    sql: `ALTER TABLE archive_messages ADD COLUMN groupchat INTEGER NOT NULL DEFAULT 0;
    UPDATE archive_messages SET groupchat = 1 WHERE substr(stanza, 1, instr(stanza, '>')) LIKE '% type="groupchat"%';
    DROP INDEX archive_messages_owner;
    DROP INDEX archive_messages_owner_with;
    CREATE INDEX archive_messages_owner ON archive_messages (owner, key, groupchat);
    CREATE INDEX archive_messages_owner_with ON archive_messages (owner, with_bare, key, groupchat);`,
  },
];

/**
 * Whether a serialized stanza is of type 'groupchat'. Stanzas are stored serialized (attributes
 * double-quoted, '>' escaped inside them), so the start tag ends at the first '>'. Same test as
 * migration 2's (LIKE is case-insensitive for ASCII).
 */
export function isGroupchatStanza(stanza: string): boolean {
  return stanza.slice(0, stanza.indexOf('>') + 1).toLowerCase().includes(' type="groupchat"');
}

/** Keys per millisecond: key = ms * KEYS_PER_MS + counter. Keys stay below 2^53 until the year 2248. */
export const KEYS_PER_MS = 1024;
const KEY_CHARS = 11; // 55 bits of base32
const NONCE_CHARS = 10; // 50 bits; the nonce uses 48
// JavaScript's base 32 digits (0-9, a-v) are in ASCII order, so fixed-width ids sort like keys.
const ID_PATTERN = /^[0-9a-v]{21}$/;

const B32_5 = 32 ** 5;

// Fixed-width base 32 in two halves: small integers convert much faster than 53-bit doubles.
function base32(n: number, width: number): string {
  const hi = Math.floor(n / B32_5);
  return hi.toString(32).padStart(width - 5, '0') + (n - hi * B32_5).toString(32).padStart(5, '0');
}

export function formatArchiveId(key: number, nonce: number): string {
  return base32(key, KEY_CHARS) + base32(nonce, NONCE_CHARS);
}

/** The key and nonce inside an archive id, or null when it cannot be one of ours. */
export function parseArchiveId(id: string): { key: number; nonce: number } | null {
  if (!ID_PATTERN.test(id)) return null;
  const key = parseInt(id.slice(0, KEY_CHARS), 32);
  const nonce = parseInt(id.slice(KEY_CHARS), 32);
  return Number.isSafeInteger(key) && Number.isSafeInteger(nonce) ? { key, nonce } : null;
}

const timestampOf = (key: number) => Math.floor(key / KEYS_PER_MS);

interface Row {
  key: number;
  nonce: number;
  with_bare: string;
  with_resource: string;
  outgoing: number;
  stanza: string;
}

function toMessage(r: Row): ArchivedMessage {
  return {
    id: formatArchiveId(r.key, r.nonce),
    timestamp: timestampOf(r.key),
    with: r.with_resource ? `${r.with_bare}/${r.with_resource}` : r.with_bare,
    direction: r.outgoing ? 'out' : 'in',
    stanza: r.stanza,
  };
}

// A normalized JID string splits at its first '/' (RFC 7622 §3.1: the resource may contain '/').
function splitJid(j: string): { bare: string; resource: string } {
  const slash = j.indexOf('/');
  return slash < 0 ? { bare: j, resource: '' } : { bare: j.slice(0, slash), resource: j.slice(slash + 1) };
}

interface Pending {
  entries: ArchiveEntry[];
  waitForDisk: boolean;
  resolve(ids: Array<{ id: string; timestamp: number }>): void;
  reject(err: unknown): void;
}

/**
 * The index of a page's first item when the page sits at an end of its result set, or null
 * (count it). A forward page from the set's start begins at 0; a backward page that reaches the
 * set's end (the latest page, RSM <before/>) is its last `items` messages. Saves a second scan.
 */
export function firstIndexAtEnd(q: Pick<ArchiveQuery, 'backwards'>, items: number, count: number, fromStart: boolean, toEnd: boolean): number | null {
  if (!q.backwards && fromStart) return 0;
  if (q.backwards && toEnd) return count - items;
  return null;
}

export class SqliteArchive implements ArchiveStore {
  private lastKey: number;
  private readonly stmts;
  private readonly cache = new Map<string, Statement<unknown[]>>();
  private pending: Pending[] = [];
  private readonly nonces = { buf: Buffer.alloc(0), at: 0 };

  constructor(private readonly db: Db, private readonly now: () => number = Date.now) {
    this.lastKey = (db.prepare('SELECT MAX(key) FROM archive_messages').pluck().get() as number | null) ?? 0;
    this.stmts = {
      ownerId: db.prepare('SELECT id FROM archive_owners WHERE domain = ? AND username = ?').pluck(),
      addOwner: db.prepare('INSERT INTO archive_owners (domain, username) VALUES (?, ?) ON CONFLICT (domain, username) DO NOTHING'),
      insert: db.prepare('INSERT INTO archive_messages (key, owner, nonce, with_bare, with_resource, outgoing, stanza, groupchat) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      locate: db.prepare('SELECT owner, nonce FROM archive_messages WHERE key = ?'),
      maxIn: db.prepare('SELECT MAX(key) FROM archive_messages WHERE key BETWEEN ? AND ?').pluck(),
      oldest: db.prepare('SELECT key, nonce FROM archive_messages WHERE owner = ? ORDER BY key ASC LIMIT 1'),
      newest: db.prepare('SELECT key, nonce FROM archive_messages WHERE owner = ? ORDER BY key DESC LIMIT 1'),
      expire: db.prepare('DELETE FROM archive_messages WHERE key IN (SELECT key FROM archive_messages WHERE key < ? ORDER BY key LIMIT ?)'),
      dropMessages: db.prepare('DELETE FROM archive_messages WHERE owner = ?'),
      dropOwner: db.prepare('DELETE FROM archive_owners WHERE id = ?'),
    };
  }

  /**
   * Appends made in the same event-loop turn share one transaction (group commit): with
   * synchronous=FULL each commit is an fsync, and a busy server archives two copies per message.
   */
  append(entries: ArchiveEntry[], opts: { waitForDisk?: boolean } = {}): Promise<Array<{ id: string; timestamp: number }>> {
    if (entries.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.pending.push({ entries, waitForDisk: opts.waitForDisk ?? true, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    const sync = walSyncFor(this.db);
    const settle: Array<() => void> = [];
    // Resolve now (committed) or after the next WAL sync (on disk), as each append asked.
    const done = (p: Pending, f: () => void) => (p.waitForDisk ? settle.push(f) : f());
    sync.run(() => {
      try {
        const results = this.db.transaction(() => batch.map((p) => this.insertAll(p.entries)))();
        batch.forEach((p, i) => done(p, () => p.resolve(results[i])));
      } catch {
        // One bad entry must not fail its neighbours: retry each append on its own.
        for (const p of batch) {
          try {
            const r = this.db.transaction(() => this.insertAll(p.entries))();
            done(p, () => p.resolve(r));
          } catch (err) {
            p.reject(err);
          }
        }
      }
    });
    if (settle.length === 0) return;
    // Nobody else hears of an archived message before it is on disk (wal-sync.ts).
    sync.synced().then(
      () => settle.forEach((f) => f()),
      (err: unknown) => batch.forEach((p) => p.reject(err)),
    );
  }

  private insertAll(entries: ArchiveEntry[]): Array<{ id: string; timestamp: number }> {
    const owners = new Map<string, number>();
    const startKey = this.lastKey;
    try {
      return entries.map((e) => {
        const ownerKey = `${e.owner.username}@${e.owner.domain}`;
        let owner = owners.get(ownerKey);
        if (owner === undefined) {
          owner = this.ownerId(e.owner, true)!;
          owners.set(ownerKey, owner);
        }
        // The counter part orders messages within one millisecond, and across a clock step back.
        const key = e.timestamp === undefined ? Math.max(Math.floor(this.now()) * KEYS_PER_MS, this.lastKey + 1) : this.importedKey(e.timestamp);
        this.lastKey = Math.max(this.lastKey, key);
        const nonce = this.nonce();
        const w = splitJid(e.with);
        this.stmts.insert.run(key, owner, nonce, w.bare, w.resource, e.direction === 'out' ? 1 : 0, e.stanza, isGroupchatStanza(e.stanza) ? 1 : 0);
        return { id: formatArchiveId(key, nonce), timestamp: timestampOf(key) };
      });
    } catch (err) {
      this.lastKey = startKey; // the transaction rolls back; keys may be handed out again
      throw err;
    }
  }

  /**
   * The key of a message archived at `timestamp` (clamped to [0, now]): the next free counter in
   * its millisecond, or in the next one with room. Rows of this transaction count (same connection).
   */
  private importedKey(timestamp: number): number {
    const now = Math.floor(this.now());
    let ms = Number.isFinite(timestamp) ? Math.min(Math.max(0, Math.floor(timestamp)), now) : now;
    for (;;) {
      const base = ms * KEYS_PER_MS;
      // At or past the live clock: just above it, as a live message would be.
      if (base > this.lastKey || ms >= now) return Math.max(base, this.lastKey + 1);
      const max = this.stmts.maxIn.get(base, base + KEYS_PER_MS - 1) as number | null;
      if (max === null) return base;
      if (max < base + KEYS_PER_MS - 1) return max + 1;
      ms++; // 1024 messages in that millisecond already
    }
  }

  private nonce(): number {
    const n = this.nonces;
    if (n.at + 6 > n.buf.length) {
      n.buf = randomBytes(6 * 1024);
      n.at = 0;
    }
    const v = n.buf.readUIntBE(n.at, 6);
    n.at += 6;
    return v;
  }

  private ownerId(o: ArchiveOwner, create: boolean): number | undefined {
    let id = this.stmts.ownerId.get(o.domain, o.username) as number | undefined;
    if (id === undefined && create) {
      this.stmts.addOwner.run(o.domain, o.username);
      id = this.stmts.ownerId.get(o.domain, o.username) as number;
    }
    return id;
  }

  /** The key of an id in this owner's archive, or null when the archive has no such message. */
  private keyOf(owner: number, id: string): number | null {
    const parsed = parseArchiveId(id);
    if (!parsed) return null;
    const row = this.stmts.locate.get(parsed.key) as { owner: number; nonce: number } | undefined;
    return row && row.owner === owner && row.nonce === parsed.nonce ? parsed.key : null;
  }

  private prepared(sql: string): Statement<unknown[]> {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.db.prepare<unknown[]>(sql);
      this.cache.set(sql, s);
    }
    return s;
  }

  async query(o: ArchiveOwner, q: ArchiveQuery): Promise<ArchivePage> {
    const owner = this.ownerId(o, false);
    const named = [q.afterId, q.beforeId, q.pageAfter, q.pageBefore, ...(q.ids ?? [])].filter((x): x is string => x !== undefined);
    const counted = (q.countLimit ?? 0) > 0 ? 0 : undefined;
    if (owner === undefined) return { items: [], complete: true, count: counted, unknownIds: named };
    const unknownIds: string[] = [];
    const key = (id: string): number => {
      const k = this.keyOf(owner, id);
      if (k === null) unknownIds.push(id);
      return k ?? 0;
    };

    // The result set: owner, with, time and id bounds, ids. Keys are time-ordered, so start/end
    // become key bounds on the same index scan (KEYS_PER_MS keys per millisecond).
    let lo = 0;
    let hi = Number.MAX_SAFE_INTEGER;
    if (q.start !== undefined) lo = Math.max(lo, q.start * KEYS_PER_MS);
    if (q.end !== undefined) hi = Math.min(hi, q.end * KEYS_PER_MS + KEYS_PER_MS - 1);
    if (q.afterId !== undefined) lo = Math.max(lo, key(q.afterId) + 1);
    if (q.beforeId !== undefined) hi = Math.min(hi, key(q.beforeId) - 1);
    const idKeys = q.ids?.map(key);
    // The page inside it: XEP-0059 cursors are exclusive.
    let pageLo = lo;
    let pageHi = hi;
    if (q.pageAfter !== undefined) pageLo = Math.max(pageLo, key(q.pageAfter) + 1);
    if (q.pageBefore !== undefined) pageHi = Math.min(pageHi, key(q.pageBefore) - 1);
    if (unknownIds.length > 0) return { items: [], complete: true, unknownIds };

    const where = ['owner = ?'];
    const params: unknown[] = [owner];
    if (q.with !== undefined) {
      const w = splitJid(q.with);
      where.push('with_bare = ?');
      params.push(w.bare);
      if (w.resource) {
        where.push('with_resource = ?');
        params.push(w.resource);
      }
    }
    if (idKeys) {
      if (idKeys.length === 0) return { items: [], complete: true, count: counted, unknownIds };
      where.push(`key IN (${idKeys.map(() => '?').join(', ')})`);
      params.push(...idKeys);
    }
    if (q.excludeGroupchat) where.push('groupchat = 0');
    const filter = where.join(' AND ');
    const rows = this.prepared(
      `SELECT key, nonce, with_bare, with_resource, outgoing, stanza FROM archive_messages WHERE ${filter} AND key BETWEEN ? AND ? ORDER BY key ${q.backwards ? 'DESC' : 'ASC'} LIMIT ?`,
    ).all(...params, pageLo, pageHi, q.limit + 1) as Row[];
    const complete = rows.length <= q.limit;
    if (!complete) rows.length = q.limit;
    if (q.backwards) rows.reverse();
    const page: ArchivePage = { items: rows.map(toMessage), complete, unknownIds };
    const cap = Math.min(q.countLimit ?? 0, Number.MAX_SAFE_INTEGER - 1);
    if (cap > 0) {
      // Bounded counts: at most cap + 1 index entries are read, however large the archive.
      const counter = this.prepared(`SELECT COUNT(*) FROM (SELECT 1 FROM archive_messages WHERE ${filter} AND key BETWEEN ? AND ? LIMIT ?)`).pluck();
      const count = counter.get(...params, lo, hi, cap + 1) as number;
      if (count <= cap) {
        page.count = count;
        if (rows.length > 0) page.firstIndex = firstIndexAtEnd(q, rows.length, count, pageLo === lo, pageHi === hi) ?? (counter.get(...params, lo, rows[0].key - 1, cap + 1) as number);
      }
    }
    return page;
  }

  async bounds(o: ArchiveOwner): Promise<{ first: { id: string; timestamp: number }; last: { id: string; timestamp: number } } | null> {
    const owner = this.ownerId(o, false);
    if (owner === undefined) return null;
    const first = this.stmts.oldest.get(owner) as { key: number; nonce: number } | undefined;
    const last = this.stmts.newest.get(owner) as { key: number; nonce: number } | undefined;
    if (!first || !last) return null;
    const at = (r: { key: number; nonce: number }) => ({ id: formatArchiveId(r.key, r.nonce), timestamp: timestampOf(r.key) });
    return { first: at(first), last: at(last) };
  }

  async deleteBefore(cutoff: number, limit: number): Promise<number> {
    return this.stmts.expire.run(cutoff * KEYS_PER_MS, limit).changes;
  }

  async deleteArchive(o: ArchiveOwner): Promise<number> {
    return this.db.transaction(() => {
      const owner = this.ownerId(o, false);
      if (owner === undefined) return 0;
      const n = this.stmts.dropMessages.run(owner).changes;
      this.stmts.dropOwner.run(owner);
      return n;
    })();
  }
}
