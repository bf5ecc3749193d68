// SQLite FilesStore: metadata of HTTP uploads (XEP-0363 slots), pulled remote files (blobs by
// sha-256 and per-recipient grants), quarantine, and the pull and access logs. The bytes live on
// disk under data_dir; rows removed by account deletion queue their files in files_trash (a
// trigger, so `parley deluser` in another process leaves nothing behind for the sweeper to miss).
import type { FileAccessEntry, FilesStore, PullGrant, PulledBlob, PullLogEntry, QuarantineEntry, SlotState, UploadSlot } from '../types.ts';
import type { Db } from './db.ts';
import type { Migration } from './migrations.ts';

export const filesMigrations: Migration[] = [
  {
    store: 'files',
    id: 1,
    name: 'upload slots, pulled blobs and grants, quarantine, logs',
    sql: `CREATE TABLE upload_slot (
      id TEXT PRIMARY KEY,
      domain TEXT NOT NULL,
      username TEXT NOT NULL,
      name TEXT NOT NULL,
      size INTEGER NOT NULL,
      type TEXT NOT NULL,
      purpose TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      put_deadline INTEGER NOT NULL,
      expires_at INTEGER,
      state TEXT NOT NULL,
      sha256 TEXT,
      verdict TEXT,
      stored_at INTEGER
    );
    CREATE INDEX upload_slot_owner ON upload_slot (domain, username, created_at);
    CREATE INDEX upload_slot_state ON upload_slot (state, expires_at);
    CREATE TABLE files_trash (id INTEGER PRIMARY KEY AUTOINCREMENT, path TEXT NOT NULL);
    CREATE TRIGGER upload_slot_trash AFTER DELETE ON upload_slot BEGIN
      INSERT INTO files_trash (path) VALUES ('upload/files/' || substr(old.id, 1, 2) || '/' || old.id);
      INSERT INTO files_trash (path) VALUES ('upload/tmp/' || old.id || '.part');
    END;
    CREATE TABLE pull_blob (
      sha256 TEXT PRIMARY KEY,
      size INTEGER NOT NULL,
      type TEXT NOT NULL,
      state TEXT NOT NULL,
      signature TEXT,
      created_at INTEGER NOT NULL
    );
    CREATE TABLE pull_grant (
      token TEXT PRIMARY KEY,
      domain TEXT NOT NULL,
      username TEXT NOT NULL,
      sender TEXT NOT NULL,
      message_id TEXT,
      name TEXT NOT NULL,
      type TEXT NOT NULL,
      size INTEGER NOT NULL,
      sha256 TEXT NOT NULL,
      source TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL
    );
    CREATE INDEX pull_grant_sha ON pull_grant (sha256);
    CREATE INDEX pull_grant_expiry ON pull_grant (expires_at);
    CREATE INDEX pull_grant_owner ON pull_grant (domain, username);
    CREATE TABLE file_quarantine (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      kind TEXT NOT NULL,
      ref TEXT NOT NULL,
      domain TEXT NOT NULL,
      username TEXT NOT NULL,
      sender TEXT,
      message_id TEXT,
      name TEXT NOT NULL,
      type TEXT NOT NULL,
      size INTEGER NOT NULL,
      signature TEXT NOT NULL,
      source TEXT,
      created_at INTEGER NOT NULL,
      released_at INTEGER,
      released_by TEXT
    );
    CREATE TABLE file_access_log (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      time INTEGER NOT NULL,
      kind TEXT NOT NULL,
      ref TEXT NOT NULL,
      owner TEXT NOT NULL,
      ip TEXT NOT NULL,
      user_agent TEXT,
      range TEXT,
      bytes INTEGER NOT NULL,
      status INTEGER NOT NULL
    );
    CREATE INDEX file_access_log_time ON file_access_log (time);
    CREATE TABLE pull_log (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      time INTEGER NOT NULL,
      sender TEXT NOT NULL,
      recipient TEXT NOT NULL,
      host TEXT NOT NULL,
      url TEXT,
      size INTEGER,
      sha256 TEXT,
      hash TEXT,
      verdict TEXT NOT NULL,
      signature TEXT,
      duration_ms INTEGER NOT NULL,
      error TEXT
    );
    CREATE INDEX pull_log_time ON pull_log (time);`,
  },
];

/** Per-user tables (domain, username) that account deletion clears. */
export const filesUserTables = ['upload_slot', 'pull_grant'];

type Row = Record<string, unknown>;

const slotOf = (r: Row): UploadSlot => ({
  id: r.id as string,
  username: r.username as string,
  domain: r.domain as string,
  name: r.name as string,
  size: r.size as number,
  type: r.type as string,
  purpose: r.purpose as UploadSlot['purpose'],
  createdAt: r.created_at as number,
  putDeadline: r.put_deadline as number,
  expiresAt: (r.expires_at as number | null) ?? null,
  state: r.state as SlotState,
  sha256: (r.sha256 as string | null) ?? null,
  verdict: (r.verdict as UploadSlot['verdict']) ?? null,
  storedAt: (r.stored_at as number | null) ?? null,
});

const grantOf = (r: Row): PullGrant => ({
  token: r.token as string,
  username: r.username as string,
  domain: r.domain as string,
  sender: r.sender as string,
  messageId: (r.message_id as string | null) ?? null,
  name: r.name as string,
  type: r.type as string,
  size: r.size as number,
  sha256: r.sha256 as string,
  source: r.source as string,
  createdAt: r.created_at as number,
  expiresAt: r.expires_at as number,
});

const quarantineOf = (r: Row): QuarantineEntry => ({
  id: r.id as number,
  kind: r.kind as QuarantineEntry['kind'],
  ref: r.ref as string,
  username: r.username as string,
  domain: r.domain as string,
  sender: (r.sender as string | null) ?? null,
  messageId: (r.message_id as string | null) ?? null,
  name: r.name as string,
  type: r.type as string,
  size: r.size as number,
  signature: r.signature as string,
  source: (r.source as string | null) ?? null,
  createdAt: r.created_at as number,
  releasedAt: (r.released_at as number | null) ?? null,
  releasedBy: (r.released_by as string | null) ?? null,
});

const blobOf = (r: Row): PulledBlob => ({
  sha256: r.sha256 as string,
  size: r.size as number,
  type: r.type as string,
  state: r.state as PulledBlob['state'],
  signature: (r.signature as string | null) ?? null,
  createdAt: r.created_at as number,
});

export class SqliteFiles implements FilesStore {
  constructor(private readonly db: Db) {}

  async createSlot(s: UploadSlot): Promise<void> {
    this.db.prepare(`INSERT INTO upload_slot (id, domain, username, name, size, type, purpose, created_at, put_deadline, expires_at, state, sha256, verdict, stored_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(s.id, s.domain, s.username, s.name, s.size, s.type, s.purpose, s.createdAt, s.putDeadline, s.expiresAt, s.state, s.sha256, s.verdict, s.storedAt);
  }

  async getSlot(id: string): Promise<UploadSlot | null> {
    const r = this.db.prepare('SELECT * FROM upload_slot WHERE id = ?').get(id) as Row | undefined;
    return r ? slotOf(r) : null;
  }

  async transitionSlot(id: string, from: SlotState[], to: SlotState, fields: Partial<Pick<UploadSlot, 'sha256' | 'verdict' | 'storedAt' | 'expiresAt'>> = {}): Promise<boolean> {
    const sets = ['state = ?'];
    const args: unknown[] = [to];
    const cols: Record<string, string> = { sha256: 'sha256', verdict: 'verdict', storedAt: 'stored_at', expiresAt: 'expires_at' };
    for (const [k, v] of Object.entries(fields)) {
      sets.push(`${cols[k]} = ?`);
      args.push(v);
    }
    const sql = `UPDATE upload_slot SET ${sets.join(', ')} WHERE id = ? AND state IN (${from.map(() => '?').join(', ')})`;
    return this.db.prepare(sql).run(...args, id, ...from).changes > 0;
  }

  async usage(username: string, domain: string, purposes: string[], now: number): Promise<{ bytes: number; nextRelease: number | null }> {
    const inP = purposes.map(() => '?').join(', ');
    const r = this.db.prepare(`SELECT
        COALESCE(SUM(size), 0) AS bytes,
        MIN(CASE WHEN state = 'ready' THEN expires_at ELSE put_deadline END) AS next
      FROM upload_slot WHERE domain = ? AND username = ? AND purpose IN (${inP})
        AND ((state = 'ready' AND (expires_at IS NULL OR expires_at > ?)) OR (state IN ('pending', 'uploading') AND put_deadline > ?))`)
      .get(domain, username, ...purposes, now, now) as { bytes: number; next: number | null };
    return { bytes: r.bytes, nextRelease: r.next };
  }

  async slotTimesSince(username: string, domain: string, since: number): Promise<number[]> {
    return this.db.prepare('SELECT created_at FROM upload_slot WHERE domain = ? AND username = ? AND created_at > ? ORDER BY created_at').pluck().all(domain, username, since) as number[];
  }

  async oldestReady(username: string, domain: string, purposes: string[], limit: number): Promise<UploadSlot[]> {
    const inP = purposes.map(() => '?').join(', ');
    return (this.db.prepare(`SELECT * FROM upload_slot WHERE domain = ? AND username = ? AND state = 'ready' AND purpose IN (${inP}) ORDER BY created_at, id LIMIT ?`).all(domain, username, ...purposes, limit) as Row[]).map(slotOf);
  }

  async dueSlots(now: number, limit: number): Promise<UploadSlot[]> {
    return (this.db.prepare(`SELECT * FROM upload_slot WHERE (state = 'ready' AND expires_at IS NOT NULL AND expires_at <= ?)
      OR (state IN ('pending', 'uploading') AND put_deadline <= ?) ORDER BY created_at, id LIMIT ?`).all(now, now, limit) as Row[]).map(slotOf);
  }

  async slotsOf(username: string, domain: string, purposes: string[]): Promise<UploadSlot[]> {
    const inP = purposes.map(() => '?').join(', ');
    return (this.db.prepare(`SELECT * FROM upload_slot WHERE domain = ? AND username = ? AND state = 'ready' AND purpose IN (${inP}) ORDER BY created_at, id`).all(domain, username, ...purposes) as Row[]).map(slotOf);
  }

  async unscannedSlots(limit: number): Promise<UploadSlot[]> {
    return (this.db.prepare(`SELECT * FROM upload_slot WHERE state = 'ready' AND verdict = 'unscanned' ORDER BY created_at, id LIMIT ?`).all(limit) as Row[]).map(slotOf);
  }

  async purgeTombstones(before: number, limit: number): Promise<number> {
    // Kept for a while after the file went (expiry, or the PUT deadline of an abandoned slot), for the logs.
    return this.db.prepare(`DELETE FROM upload_slot WHERE id IN (SELECT id FROM upload_slot
      WHERE (state = 'expired' AND (CASE WHEN stored_at IS NULL THEN put_deadline ELSE COALESCE(expires_at, stored_at) END) < ?)
         OR (state = 'rejected' AND created_at < ?)
      ORDER BY created_at LIMIT ?)`).run(before, before, limit).changes;
  }

  async takeTrash(limit: number): Promise<string[]> {
    return this.db.transaction(() => {
      const rows = this.db.prepare('SELECT id, path FROM files_trash ORDER BY id LIMIT ?').all(limit) as Array<{ id: number; path: string }>;
      if (rows.length) this.db.prepare(`DELETE FROM files_trash WHERE id <= ?`).run(rows[rows.length - 1].id);
      return rows.map((r) => r.path);
    })();
  }

  async putBlob(b: PulledBlob): Promise<void> {
    this.db.prepare(`INSERT INTO pull_blob (sha256, size, type, state, signature, created_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (sha256) DO UPDATE SET state = excluded.state, signature = excluded.signature, type = excluded.type`).run(b.sha256, b.size, b.type, b.state, b.signature, b.createdAt);
  }

  async getBlob(sha256: string): Promise<PulledBlob | null> {
    const r = this.db.prepare('SELECT * FROM pull_blob WHERE sha256 = ?').get(sha256) as Row | undefined;
    return r ? blobOf(r) : null;
  }

  async blobsInState(state: PulledBlob['state'], limit: number): Promise<PulledBlob[]> {
    return (this.db.prepare('SELECT * FROM pull_blob WHERE state = ? ORDER BY created_at, sha256 LIMIT ?').all(state, limit) as Row[]).map(blobOf);
  }

  async orphanBlobs(createdBefore: number, limit: number): Promise<PulledBlob[]> {
    return (this.db.prepare(`SELECT * FROM pull_blob b WHERE state != 'quarantined' AND created_at < ?
      AND NOT EXISTS (SELECT 1 FROM pull_grant g WHERE g.sha256 = b.sha256) ORDER BY created_at LIMIT ?`).all(createdBefore, limit) as Row[]).map(blobOf);
  }

  async deleteBlob(sha256: string): Promise<void> {
    this.db.prepare('DELETE FROM pull_blob WHERE sha256 = ?').run(sha256);
  }

  async createGrant(g: PullGrant): Promise<void> {
    this.db.prepare(`INSERT INTO pull_grant (token, domain, username, sender, message_id, name, type, size, sha256, source, created_at, expires_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(g.token, g.domain, g.username, g.sender, g.messageId, g.name, g.type, g.size, g.sha256, g.source, g.createdAt, g.expiresAt);
  }

  async getGrant(token: string): Promise<PullGrant | null> {
    const r = this.db.prepare('SELECT * FROM pull_grant WHERE token = ?').get(token) as Row | undefined;
    return r ? grantOf(r) : null;
  }

  async deleteExpiredGrants(now: number, limit: number): Promise<number> {
    return this.db.prepare('DELETE FROM pull_grant WHERE token IN (SELECT token FROM pull_grant WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)').run(now, limit).changes;
  }

  async quarantine(e: Omit<QuarantineEntry, 'id' | 'releasedAt' | 'releasedBy'>): Promise<number> {
    return Number(this.db.prepare(`INSERT INTO file_quarantine (kind, ref, domain, username, sender, message_id, name, type, size, signature, source, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(e.kind, e.ref, e.domain, e.username, e.sender, e.messageId, e.name, e.type, e.size, e.signature, e.source, e.createdAt).lastInsertRowid);
  }

  async listQuarantine(opts: { includeReleased?: boolean; limit: number }): Promise<QuarantineEntry[]> {
    const where = opts.includeReleased ? '' : 'WHERE released_at IS NULL';
    return (this.db.prepare(`SELECT * FROM file_quarantine ${where} ORDER BY id LIMIT ?`).all(opts.limit) as Row[]).map(quarantineOf);
  }

  async getQuarantine(id: number): Promise<QuarantineEntry | null> {
    const r = this.db.prepare('SELECT * FROM file_quarantine WHERE id = ?').get(id) as Row | undefined;
    return r ? quarantineOf(r) : null;
  }

  async markReleased(id: number, by: string, at: number): Promise<boolean> {
    return this.db.prepare('UPDATE file_quarantine SET released_at = ?, released_by = ? WHERE id = ? AND released_at IS NULL').run(at, by, id).changes > 0;
  }

  async expiredQuarantine(before: number, limit: number): Promise<QuarantineEntry[]> {
    return (this.db.prepare('SELECT * FROM file_quarantine WHERE created_at < ? ORDER BY id LIMIT ?').all(before, limit) as Row[]).map(quarantineOf);
  }

  async deleteQuarantine(id: number): Promise<void> {
    this.db.prepare('DELETE FROM file_quarantine WHERE id = ?').run(id);
  }

  async logAccess(e: FileAccessEntry): Promise<void> {
    this.db.prepare('INSERT INTO file_access_log (time, kind, ref, owner, ip, user_agent, range, bytes, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(e.time, e.kind, e.ref, e.owner, e.ip, e.userAgent, e.range, e.bytes, e.status);
  }

  async accessLog(opts: { ref?: string; limit: number }): Promise<FileAccessEntry[]> {
    const rows = (opts.ref !== undefined
      ? this.db.prepare('SELECT * FROM file_access_log WHERE ref = ? ORDER BY id LIMIT ?').all(opts.ref, opts.limit)
      : this.db.prepare('SELECT * FROM file_access_log ORDER BY id LIMIT ?').all(opts.limit)) as Row[];
    return rows.map((r) => ({ time: r.time as number, kind: r.kind as FileAccessEntry['kind'], ref: r.ref as string, owner: r.owner as string, ip: r.ip as string, userAgent: (r.user_agent as string | null) ?? null, range: (r.range as string | null) ?? null, bytes: r.bytes as number, status: r.status as number }));
  }

  async logPull(e: PullLogEntry): Promise<void> {
    this.db.prepare('INSERT INTO pull_log (time, sender, recipient, host, url, size, sha256, hash, verdict, signature, duration_ms, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(e.time, e.sender, e.recipient, e.host, e.url, e.size, e.sha256, e.hash, e.verdict, e.signature, e.durationMs, e.error);
  }

  async pullLog(limit: number): Promise<PullLogEntry[]> {
    return (this.db.prepare('SELECT * FROM pull_log ORDER BY id LIMIT ?').all(limit) as Row[]).map((r) => ({
      time: r.time as number, sender: r.sender as string, recipient: r.recipient as string, host: r.host as string, url: (r.url as string | null) ?? null,
      size: (r.size as number | null) ?? null, sha256: (r.sha256 as string | null) ?? null, hash: (r.hash as PullLogEntry['hash']) ?? null,
      verdict: r.verdict as string, signature: (r.signature as string | null) ?? null, durationMs: r.duration_ms as number, error: (r.error as string | null) ?? null,
    }));
  }

  async purgeLogs(before: number, limit: number): Promise<number> {
    const a = this.db.prepare('DELETE FROM file_access_log WHERE id IN (SELECT id FROM file_access_log WHERE time < ? ORDER BY id LIMIT ?)').run(before, limit).changes;
    const b = this.db.prepare('DELETE FROM pull_log WHERE id IN (SELECT id FROM pull_log WHERE time < ? ORDER BY id LIMIT ?)').run(before, limit).changes;
    return a + b;
  }
}
