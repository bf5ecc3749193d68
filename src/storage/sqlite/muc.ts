// SQLite MucStore: persistent XEP-0045 rooms, their affiliations in a stable per-room order (seq,
// never reused), and XEP-0425 tombstones of moderated archive messages. Temporary rooms are never
// written here (only their tombstones, dropped with the room).
import { affiliationRank, pageKeyset, RANK_SQL } from '../muc-rank.ts';
import type { MucStore, StoredAffiliation, StoredRoom } from '../types.ts';
import type Database from 'better-sqlite3';
import type { Db } from './db.ts';
import type { Migration } from './migrations.ts';

export const mucMigrations: Migration[] = [
  {
    store: 'muc',
    id: 1,
    name: 'persistent rooms, affiliations in seq order, moderation tombstones',
    sql: `CREATE TABLE muc_rooms (
      jid TEXT PRIMARY KEY,
      service TEXT NOT NULL,
      created_seq INTEGER NOT NULL,
      config TEXT NOT NULL,
      subject TEXT,
      secret TEXT NOT NULL,
      next_seq INTEGER NOT NULL
    );
    CREATE INDEX muc_rooms_service ON muc_rooms (service, created_seq);
    CREATE TABLE muc_affiliations (
      room TEXT NOT NULL REFERENCES muc_rooms (jid) ON DELETE CASCADE,
      jid TEXT NOT NULL,
      domain TEXT NOT NULL,
      username TEXT NOT NULL,
      affiliation TEXT NOT NULL,
      nick TEXT,
      seq INTEGER NOT NULL,
      PRIMARY KEY (room, jid)
    );
    CREATE INDEX muc_affiliations_order ON muc_affiliations (room, seq);
    CREATE INDEX muc_affiliations_user ON muc_affiliations (domain, username);
    CREATE TABLE muc_service_seq (
      service TEXT PRIMARY KEY,
      last_seq INTEGER NOT NULL
    );
    CREATE TABLE muc_tombstones (
      room TEXT NOT NULL,
      id TEXT NOT NULL,
      stanza TEXT NOT NULL,
      PRIMARY KEY (room, id)
    );`,
  },
  {
    store: 'muc',
    id: 2,
    name: 'affiliation rank and the (room, rank, seq) index for paged participant lists',
    sql: `ALTER TABLE muc_affiliations ADD COLUMN rank INTEGER NOT NULL DEFAULT 3;
    UPDATE muc_affiliations SET rank = ${RANK_SQL};
    CREATE INDEX muc_affiliations_rank ON muc_affiliations (room, rank, seq);`,
  },
];

/** Account deletion removes the account's affiliations (a re-registered name must not inherit ownership). */
export const mucUserTables = ['muc_affiliations'];

/** Split a stored affiliation JID into the (domain, username) account key; a domain-only JID has username ''. */
function accountKey(jid: string): { domain: string; username: string } {
  const at = jid.lastIndexOf('@');
  return at < 0 ? { domain: jid, username: '' } : { domain: jid.slice(at + 1), username: jid.slice(0, at) };
}

interface RoomRow {
  jid: string;
  service: string;
  created_seq: number;
  config: string;
  subject: string | null;
  secret: string;
  next_seq: number;
}

export class SqliteMuc implements MucStore {
  private readonly s;
  /** affiliationPage statements by shape (rank count, direction): a handful at most. */
  private readonly pageStatements = new Map<string, Database.Statement<unknown[]>>();

  constructor(private readonly db: Db) {
    this.s = {
      rooms: db.prepare('SELECT * FROM muc_rooms WHERE service = ? ORDER BY created_seq'),
      affiliations: db.prepare('SELECT jid, affiliation, nick, seq FROM muc_affiliations WHERE room = ? ORDER BY seq'),
      maxSeq: db.prepare('SELECT last_seq FROM muc_service_seq WHERE service = ?').pluck(),
      bumpSeq: db.prepare('INSERT INTO muc_service_seq (service, last_seq) VALUES (?, ?) ON CONFLICT (service) DO UPDATE SET last_seq = MAX(last_seq, excluded.last_seq)'),
      upsertRoom: db.prepare(`INSERT INTO muc_rooms (jid, service, created_seq, config, subject, secret, next_seq) VALUES (@jid, @service, @createdSeq, @config, @subject, @secret, @nextSeq)
        ON CONFLICT (jid) DO UPDATE SET service = excluded.service, created_seq = excluded.created_seq, config = excluded.config, subject = excluded.subject, secret = excluded.secret, next_seq = excluded.next_seq`),
      clearAffiliations: db.prepare('DELETE FROM muc_affiliations WHERE room = ?'),
      putAffiliation: db.prepare(`INSERT INTO muc_affiliations (room, jid, domain, username, affiliation, nick, seq, rank) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (room, jid) DO UPDATE SET affiliation = excluded.affiliation, nick = excluded.nick, seq = excluded.seq, rank = excluded.rank`),
      deleteAffiliation: db.prepare('DELETE FROM muc_affiliations WHERE room = ? AND jid = ?'),
      roomExists: db.prepare('SELECT 1 FROM muc_rooms WHERE jid = ?').pluck(),
      setNextSeq: db.prepare('UPDATE muc_rooms SET next_seq = MAX(next_seq, ?) WHERE jid = ?'),
      deleteRoom: db.prepare('DELETE FROM muc_rooms WHERE jid = ?'),
      putTombstone: db.prepare('INSERT INTO muc_tombstones (room, id, stanza) VALUES (?, ?, ?) ON CONFLICT (room, id) DO UPDATE SET stanza = excluded.stanza'),
      tombstone: db.prepare('SELECT stanza FROM muc_tombstones WHERE room = ? AND id = ?').pluck(),
      deleteTombstones: db.prepare('DELETE FROM muc_tombstones WHERE room = ?'),
    };
  }

  async rooms(service: string): Promise<Array<StoredRoom & { affiliations: StoredAffiliation[] }>> {
    const rows = this.s.rooms.all(service) as RoomRow[];
    return rows.map((r) => ({
      jid: r.jid,
      service: r.service,
      createdSeq: r.created_seq,
      config: r.config,
      subject: r.subject,
      secret: r.secret,
      nextSeq: r.next_seq,
      affiliations: this.s.affiliations.all(r.jid) as StoredAffiliation[],
    }));
  }

  async maxCreatedSeq(service: string): Promise<number> {
    return (this.s.maxSeq.get(service) as number | undefined) ?? 0;
  }

  async saveRoom(room: StoredRoom, affiliations: StoredAffiliation[]): Promise<void> {
    this.db.transaction(() => {
      this.s.upsertRoom.run(room);
      this.s.bumpSeq.run(room.service, room.createdSeq);
      this.s.clearAffiliations.run(room.jid);
      for (const a of affiliations) {
        const k = accountKey(a.jid);
        this.s.putAffiliation.run(room.jid, a.jid, k.domain, k.username, a.affiliation, a.nick, a.seq, affiliationRank(a.affiliation));
      }
    })();
  }

  async updateRoom(jid: string, fields: { config?: string; subject?: string | null; nextSeq?: number }): Promise<void> {
    const sets: string[] = [];
    const values: Array<string | number | null> = [];
    if (fields.config !== undefined) {
      sets.push('config = ?');
      values.push(fields.config);
    }
    if (fields.subject !== undefined) {
      sets.push('subject = ?');
      values.push(fields.subject);
    }
    if (fields.nextSeq !== undefined) {
      sets.push('next_seq = MAX(next_seq, ?)');
      values.push(fields.nextSeq);
    }
    if (sets.length === 0) return;
    this.db.prepare(`UPDATE muc_rooms SET ${sets.join(', ')} WHERE jid = ?`).run(...values, jid);
  }

  async setAffiliations(room: string, changes: Array<{ jid: string; affiliation: string | null; nick: string | null; seq: number }>, nextSeq: number): Promise<void> {
    this.db.transaction(() => {
      if (!this.s.roomExists.get(room)) return;
      for (const c of changes) {
        if (c.affiliation === null) this.s.deleteAffiliation.run(room, c.jid);
        else {
          const k = accountKey(c.jid);
          this.s.putAffiliation.run(room, c.jid, k.domain, k.username, c.affiliation, c.nick, c.seq, affiliationRank(c.affiliation));
        }
      }
      this.s.setNextSeq.run(nextSeq, room);
    })();
  }

  async affiliationPage(room: string, q: { ranks: number[]; after?: { rank: number; seq: number }; before?: { rank: number; seq: number }; limit: number }): Promise<StoredAffiliation[]> {
    const k = pageKeyset(q);
    if (!k) return [];
    // The index range is one bound pair only: the keyset position on one side, the rank range on the
    // other (SQLite would otherwise seek on the rank range and scan up to the position). An IN list
    // on the index column would make SQLite sort, so other ranks are filtered inside the range (+rank).
    const bounds = k.dir === 'ASC' ? '(rank, seq) > (?, ?) AND rank <= ?' : '(rank, seq) < (?, ?) AND rank >= ?';
    const sql = `SELECT jid, affiliation, nick, seq FROM muc_affiliations WHERE room = ? AND ${bounds} AND +rank IN (${k.ranks.map(() => '?').join(', ')}) ORDER BY rank ${k.dir}, seq ${k.dir} LIMIT ?`;
    let stmt = this.pageStatements.get(sql);
    if (!stmt) this.pageStatements.set(sql, (stmt = this.db.prepare<unknown[]>(sql)));
    const rows = stmt.all(room, k.from.rank, k.from.seq, k.dir === 'ASC' ? k.maxRank : k.minRank, ...k.ranks, q.limit) as StoredAffiliation[];
    return k.dir === 'DESC' ? rows.reverse() : rows;
  }

  async deleteRoom(jid: string): Promise<void> {
    this.s.deleteRoom.run(jid);
  }

  async putTombstone(room: string, id: string, stanza: string): Promise<void> {
    this.s.putTombstone.run(room, id, stanza);
  }

  async tombstones(room: string, ids: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const id of ids) {
      const t = this.s.tombstone.get(room, id) as string | undefined;
      if (t !== undefined) out.set(id, t);
    }
    return out;
  }

  async deleteTombstones(room: string): Promise<void> {
    this.s.deleteTombstones.run(room);
  }
}
