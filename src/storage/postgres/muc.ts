// PostgreSQL MucStore: persistent XEP-0045 rooms, their affiliations in a stable per-room order
// (seq, never reused), and XEP-0425 tombstones of moderated archive messages.
import { affiliationRank, pageKeyset, RANK_SQL } from '../muc-rank.ts';
import type { MucStore, StoredAffiliation, StoredRoom } from '../types.ts';
import type { Migration } from './migrations.ts';
import type { PgDb, Tx } from './pool.ts';

export const mucMigrations: Migration[] = [
  {
    store: 'muc',
    id: 1,
    name: 'persistent rooms, affiliations in seq order, moderation tombstones',
    sql: `CREATE TABLE muc_rooms (
      jid TEXT COLLATE "C" PRIMARY KEY,
      service TEXT COLLATE "C" NOT NULL,
      created_seq BIGINT NOT NULL,
      config TEXT NOT NULL,
      subject TEXT,
      secret TEXT NOT NULL,
      next_seq BIGINT NOT NULL
    );
    CREATE INDEX muc_rooms_service ON muc_rooms (service, created_seq);
    CREATE TABLE muc_affiliations (
      room TEXT COLLATE "C" NOT NULL REFERENCES muc_rooms (jid) ON DELETE CASCADE,
      jid TEXT COLLATE "C" NOT NULL,
      domain TEXT COLLATE "C" NOT NULL,
      username TEXT COLLATE "C" NOT NULL,
      affiliation TEXT NOT NULL,
      nick TEXT,
      seq BIGINT NOT NULL,
      PRIMARY KEY (room, jid)
    );
    CREATE INDEX muc_affiliations_order ON muc_affiliations (room, seq);
    CREATE INDEX muc_affiliations_user ON muc_affiliations (domain, username);
    CREATE TABLE muc_service_seq (
      service TEXT COLLATE "C" PRIMARY KEY,
      last_seq BIGINT NOT NULL
    );
    CREATE TABLE muc_tombstones (
      room TEXT COLLATE "C" NOT NULL,
      id TEXT COLLATE "C" NOT NULL,
      stanza TEXT NOT NULL,
      PRIMARY KEY (room, id)
    );`,
  },
  {
    store: 'muc',
    id: 2,
    name: 'affiliation rank and the (room, rank, seq) index for paged participant lists',
    sql: `ALTER TABLE muc_affiliations ADD COLUMN rank SMALLINT NOT NULL DEFAULT 3;
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

const PUT_AFFILIATION = `INSERT INTO muc_affiliations (room, jid, domain, username, affiliation, nick, seq, rank) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
  ON CONFLICT (room, jid) DO UPDATE SET affiliation = excluded.affiliation, nick = excluded.nick, seq = excluded.seq, rank = excluded.rank`;

async function putAffiliation(tx: Tx, room: string, a: { jid: string; affiliation: string; nick: string | null; seq: number }): Promise<void> {
  const k = accountKey(a.jid);
  await tx.run(PUT_AFFILIATION, [room, a.jid, k.domain, k.username, a.affiliation, a.nick, a.seq, affiliationRank(a.affiliation)]);
}

export class PgMuc implements MucStore {
  constructor(private readonly db: PgDb) {}

  async rooms(service: string): Promise<Array<StoredRoom & { affiliations: StoredAffiliation[] }>> {
    const rows = await this.db.rows<RoomRow>('SELECT jid, service, created_seq, config, subject, secret, next_seq FROM muc_rooms WHERE service = $1 ORDER BY created_seq, jid', [service]);
    const affs = await this.db.rows<StoredAffiliation & { room: string }>(
      'SELECT a.room, a.jid, a.affiliation, a.nick, a.seq FROM muc_affiliations a JOIN muc_rooms r ON r.jid = a.room WHERE r.service = $1 ORDER BY a.room, a.seq',
      [service],
    );
    const byRoom = new Map<string, StoredAffiliation[]>();
    for (const { room, ...a } of affs) {
      let list = byRoom.get(room);
      if (!list) byRoom.set(room, (list = []));
      list.push(a);
    }
    return rows.map((r) => ({
      jid: r.jid,
      service: r.service,
      createdSeq: r.created_seq,
      config: r.config,
      subject: r.subject,
      secret: r.secret,
      nextSeq: r.next_seq,
      affiliations: byRoom.get(r.jid) ?? [],
    }));
  }

  async maxCreatedSeq(service: string): Promise<number> {
    return (await this.db.value<number>('SELECT last_seq FROM muc_service_seq WHERE service = $1', [service])) ?? 0;
  }

  async saveRoom(room: StoredRoom, affiliations: StoredAffiliation[]): Promise<void> {
    await this.db.tx(async (tx) => {
      await tx.run(
        `INSERT INTO muc_rooms (jid, service, created_seq, config, subject, secret, next_seq) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (jid) DO UPDATE SET service = excluded.service, created_seq = excluded.created_seq, config = excluded.config,
           subject = excluded.subject, secret = excluded.secret, next_seq = excluded.next_seq`,
        [room.jid, room.service, room.createdSeq, room.config, room.subject, room.secret, room.nextSeq],
      );
      await tx.run(
        'INSERT INTO muc_service_seq (service, last_seq) VALUES ($1, $2) ON CONFLICT (service) DO UPDATE SET last_seq = GREATEST(muc_service_seq.last_seq, excluded.last_seq)',
        [room.service, room.createdSeq],
      );
      await tx.run('DELETE FROM muc_affiliations WHERE room = $1', [room.jid]);
      for (const a of affiliations) await putAffiliation(tx, room.jid, a);
    });
  }

  async updateRoom(jid: string, fields: { config?: string; subject?: string | null; nextSeq?: number }): Promise<void> {
    const sets: string[] = [];
    const values: Array<string | number | null> = [];
    const param = (v: string | number | null) => {
      values.push(v);
      return `$${values.length}`;
    };
    if (fields.config !== undefined) sets.push(`config = ${param(fields.config)}`);
    if (fields.subject !== undefined) sets.push(`subject = ${param(fields.subject)}`);
    if (fields.nextSeq !== undefined) sets.push(`next_seq = GREATEST(next_seq, ${param(fields.nextSeq)})`);
    if (sets.length === 0) return;
    await this.db.run(`UPDATE muc_rooms SET ${sets.join(', ')} WHERE jid = ${param(jid)}`, values);
  }

  async setAffiliations(room: string, changes: Array<{ jid: string; affiliation: string | null; nick: string | null; seq: number }>, nextSeq: number): Promise<void> {
    await this.db.tx(async (tx) => {
      // The room row's lock orders concurrent changes to one room's list.
      if ((await tx.value('SELECT 1 FROM muc_rooms WHERE jid = $1 FOR UPDATE', [room])) === undefined) return;
      for (const c of changes) {
        if (c.affiliation === null) await tx.run('DELETE FROM muc_affiliations WHERE room = $1 AND jid = $2', [room, c.jid]);
        else await putAffiliation(tx, room, { ...c, affiliation: c.affiliation });
      }
      await tx.run('UPDATE muc_rooms SET next_seq = GREATEST(next_seq, $1) WHERE jid = $2', [nextSeq, room]);
    });
  }

  async affiliationPage(room: string, q: { ranks: number[]; after?: { rank: number; seq: number }; before?: { rank: number; seq: number }; limit: number }): Promise<StoredAffiliation[]> {
    const k = pageKeyset(q);
    if (!k) return [];
    // One bound pair on the index: the keyset position on one side, the rank range on the other.
    const bounds = k.dir === 'ASC' ? '(rank, seq) > ($2, $3) AND rank <= $4' : '(rank, seq) < ($2, $3) AND rank >= $4';
    const rows = await this.db.rows<StoredAffiliation>(
      `SELECT jid, affiliation, nick, seq FROM muc_affiliations WHERE room = $1 AND ${bounds} AND rank = ANY($5::SMALLINT[]) ORDER BY rank ${k.dir}, seq ${k.dir} LIMIT $6`,
      [room, k.from.rank, k.from.seq, k.dir === 'ASC' ? k.maxRank : k.minRank, k.ranks, q.limit],
    );
    return k.dir === 'DESC' ? rows.reverse() : rows;
  }

  async deleteRoom(jid: string): Promise<void> {
    await this.db.run('DELETE FROM muc_rooms WHERE jid = $1', [jid]);
  }

  async putTombstone(room: string, id: string, stanza: string): Promise<void> {
    await this.db.run('INSERT INTO muc_tombstones (room, id, stanza) VALUES ($1, $2, $3) ON CONFLICT (room, id) DO UPDATE SET stanza = excluded.stanza', [room, id, stanza]);
  }

  async tombstones(room: string, ids: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (ids.length === 0) return out;
    const rows = await this.db.rows<{ id: string; stanza: string }>('SELECT id, stanza FROM muc_tombstones WHERE room = $1 AND id = ANY($2::TEXT[])', [room, ids]);
    const byId = new Map(rows.map((r) => [r.id, r.stanza]));
    // In the order asked, like the SQLite driver.
    for (const id of ids) {
      const t = byId.get(id);
      if (t !== undefined) out.set(id, t);
    }
    return out;
  }

  async deleteTombstones(room: string): Promise<void> {
    await this.db.run('DELETE FROM muc_tombstones WHERE room = $1', [room]);
  }
}
