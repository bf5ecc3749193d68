// The room model, independent of any wire format (so New MUC can sit beside XEP-0045 later).
// One entry per real bare JID (gc3-participants.md §1): created when the JID first gets an
// affiliation or an occupancy session, with the next value of a per-room sequence that is never
// reused; it lives while its affiliation is not 'none' or it has a session. Everything is listed
// in (rank, seq) order — never in hash order — so joins, affiliation lists and paging are stable.
import type { Jid } from '../../jid/index.ts';
import type { Element } from '../../xml/element.ts';
import { nickKey } from './nick.ts';
import { occupantId } from './occupant-id.ts';
import { ParticipantIndex } from './participants-order.ts';
import { participantPage } from './participants-page.ts';
import { AFFILIATION_RANK, type Affiliation, type Role, type RoomConfig, type Subject } from './types.ts';

/** One client connection in the room (a full JID), with the presence it last sent (payload only). */
export interface Session {
  jid: Jid;
  presence: Element;
  /** Monotonic per room: the session updated last is the occupant's dominant session. */
  updated: number;
}

/** An occupancy: one nick, one role, one or more sessions of the same bare JID (multi-session nick). */
export interface Occupant {
  nick: string;
  role: Role;
  sessions: Map<string, Session>;
}

export interface Entry {
  readonly seq: number;
  /** Bare JID (or a domain, for a domain ban). */
  readonly jid: string;
  affiliation: Affiliation;
  reservedNick: string | null;
  occupant: Occupant | null;
}

export interface RoomInit {
  jid: Jid;
  config: RoomConfig;
  secret: Buffer;
  createdSeq: number;
  nextSeq?: number;
  subject?: Subject | null;
  locked?: boolean;
}

const byRankThenSeq = (a: Entry, b: Entry) => AFFILIATION_RANK[a.affiliation] - AFFILIATION_RANK[b.affiliation] || a.seq - b.seq;

export class Room {
  readonly jid: Jid;
  config: RoomConfig;
  subject: Subject | null;
  readonly secret: Buffer;
  readonly createdSeq: number;
  /** §10.1.1: a new room stays locked (no entry for others) until its owner configures it. */
  locked: boolean;
  /** Set once destroyed: queued work for it is dropped. */
  destroyed = false;
  private seqCounter: number;
  private updateCounter = 0;
  private readonly entries = new Map<string, Entry>();
  private readonly byNick = new Map<string, Entry>();
  private readonly bySession = new Map<string, Entry>();
  private readonly byReserved = new Map<string, Entry>();
  private occupantCount = 0;
  private readonly ids = new Map<string, string>();
  /** The entries in (rank, seq) order by (rank, role, state) cell, the list version and rank log (participants-order.ts). */
  readonly participants = new ParticipantIndex();

  constructor(init: RoomInit) {
    this.jid = init.jid;
    this.config = init.config;
    this.secret = init.secret;
    this.createdSeq = init.createdSeq;
    this.seqCounter = init.nextSeq ?? 1;
    this.subject = init.subject ?? null;
    this.locked = init.locked ?? false;
  }

  /** XEP-0421 occupant-id of a real bare JID in this room (memoised: it goes on every stanza). */
  occupantId(bareJid: string): string {
    let id = this.ids.get(bareJid);
    if (id === undefined) {
      if (this.ids.size >= 10_000) this.ids.clear();
      id = occupantId(this.secret, bareJid);
      this.ids.set(bareJid, id);
    }
    return id;
  }

  /** The next entry sequence number (persisted with the room). */
  get nextSeq(): number {
    return this.seqCounter;
  }

  get occupants(): number {
    return this.occupantCount;
  }

  isEmpty(): boolean {
    return this.occupantCount === 0;
  }

  entry(jid: string): Entry | undefined {
    return this.entries.get(jid);
  }

  /** §9.1 ban matching: user@domain first, then the domain. Only bans apply by domain. */
  affiliationOf(bare: Jid): Affiliation {
    const own = this.entries.get(bare.toString());
    if (own && own.affiliation !== 'none') return own.affiliation;
    if (bare.local && this.entries.get(bare.domain)?.affiliation === 'outcast') return 'outcast';
    return own?.affiliation ?? 'none';
  }

  /** Load a stored affiliation (keeps its seq). */
  restore(a: { jid: string; affiliation: Affiliation; nick: string | null; seq: number }): void {
    const e: Entry = { seq: a.seq, jid: a.jid, affiliation: a.affiliation, reservedNick: a.nick, occupant: null };
    this.entries.set(a.jid, e);
    if (a.nick) this.byReserved.set(nickKey(a.nick), e);
    if (a.seq >= this.seqCounter) this.seqCounter = a.seq + 1;
    this.participants.update(e);
  }

  private ensure(jid: string): Entry {
    let e = this.entries.get(jid);
    if (!e) {
      e = { seq: this.seqCounter++, jid, affiliation: 'none', reservedNick: null, occupant: null };
      this.entries.set(jid, e);
    }
    return e;
  }

  /** After any change to an entry: drop it when unused, else re-file it in the participant index. */
  private dropIfUnused(e: Entry): void {
    if (e.affiliation === 'none' && !e.occupant) {
      this.entries.delete(e.jid);
      if (e.reservedNick) this.byReserved.delete(nickKey(e.reservedNick));
      this.participants.remove(e);
    } else this.participants.update(e);
  }

  /** An occupancy whose role changes (set anywhere) re-file the entry in the participant index. */
  private occupancy(e: Entry, nick: string, role: Role): Occupant {
    let current = role;
    const index = this.participants;
    return {
      nick,
      sessions: new Map(),
      get role() {
        return current;
      },
      set role(r: Role) {
        current = r;
        index.update(e);
      },
    };
  }

  /**
   * Set an affiliation and, when `nick` is not undefined, the reserved nick (null unsets it). Returns
   * the entry (null when it no longer exists, i.e. affiliation none without occupancy).
   */
  setAffiliation(jid: string, affiliation: Affiliation, nick?: string | null): Entry | null {
    const e = this.ensure(jid);
    e.affiliation = affiliation;
    if (nick !== undefined && nick !== e.reservedNick) {
      if (e.reservedNick) this.byReserved.delete(nickKey(e.reservedNick));
      e.reservedNick = nick;
      if (nick) this.byReserved.set(nickKey(nick), e);
    }
    this.dropIfUnused(e);
    return this.entries.get(jid) ?? null;
  }

  /** Entries with one of the affiliations, in (rank, seq) order. */
  withAffiliation(affiliations: readonly Affiliation[]): Entry[] {
    const ranks = affiliations.map((a) => AFFILIATION_RANK[a]);
    return participantPage(this.participants, { accept: (c) => ranks.includes(c.rank), pinned: new Map(), backwards: false, limit: Infinity }).items.map((p) => p.entry);
  }

  /** Entries currently in the room, in (rank, seq) order (join-time presence order). */
  occupantEntries(): Entry[] {
    return [...this.entries.values()].filter((e) => e.occupant).sort(byRankThenSeq);
  }

  /** Every session of every occupant, for fan-out (no particular order needed across recipients). */
  *sessions(): Iterable<{ entry: Entry; session: Session }> {
    for (const e of this.entries.values()) if (e.occupant) for (const s of e.occupant.sessions.values()) yield { entry: e, session: s };
  }

  bySessionJid(full: Jid | string): Entry | undefined {
    return this.bySession.get(full.toString());
  }

  byNickname(nick: string): Entry | undefined {
    return this.byNick.get(nickKey(nick));
  }

  /** The entry holding `nick` as its reservation, if any. */
  reservedBy(nick: string): Entry | undefined {
    return this.byReserved.get(nickKey(nick));
  }

  /** The dominant (most recently updated) session of an occupant. */
  dominant(o: Occupant): Session {
    let best: Session | undefined;
    // A client session (full JID) wins over a New MUC bare-JID session, which has no presence of its own.
    const rank = (s: Session) => (s.jid.resource ? 1 : 0);
    for (const s of o.sessions.values()) if (!best || rank(s) > rank(best) || (rank(s) === rank(best) && s.updated > best.updated)) best = s;
    return best!;
  }

  /** Add (or refresh) a session; creates the occupancy with `nick` and `role` when there is none. */
  addSession(bare: Jid, full: Jid, nick: string, role: Role, presence: Element): Entry {
    const e = this.ensure(bare.toString());
    if (!e.occupant) {
      e.occupant = this.occupancy(e, nick, role);
      this.byNick.set(nickKey(nick), e);
      this.occupantCount++;
    }
    e.occupant.sessions.set(full.toString(), { jid: full, presence, updated: ++this.updateCounter });
    this.bySession.set(full.toString(), e);
    this.participants.update(e);
    return e;
  }

  updatePresence(full: Jid, presence: Element): void {
    const e = this.bySession.get(full.toString());
    const s = e?.occupant?.sessions.get(full.toString());
    if (s) {
      s.presence = presence;
      s.updated = ++this.updateCounter;
    }
  }

  /** Remove one session; returns whether the occupancy ended with it. */
  removeSession(full: Jid | string): { entry: Entry; occupantGone: boolean } | null {
    const key = full.toString();
    const e = this.bySession.get(key);
    if (!e?.occupant) return null;
    e.occupant.sessions.delete(key);
    this.bySession.delete(key);
    if (e.occupant.sessions.size > 0) {
      this.participants.update(e);
      return { entry: e, occupantGone: false };
    }
    this.endOccupancy(e);
    return { entry: e, occupantGone: true };
  }

  /** End an occupancy with all its sessions (kick, ban, destroy). */
  endOccupancy(e: Entry): void {
    if (!e.occupant) return;
    for (const k of e.occupant.sessions.keys()) this.bySession.delete(k);
    this.byNick.delete(nickKey(e.occupant.nick));
    e.occupant = null;
    this.occupantCount--;
    this.dropIfUnused(e);
  }

  changeNick(e: Entry, nick: string): void {
    if (!e.occupant) return;
    this.byNick.delete(nickKey(e.occupant.nick));
    e.occupant.nick = nick;
    this.byNick.set(nickKey(nick), e);
    this.participants.update(e);
  }

  /** All entries with an affiliation other than none (for persistence), in seq order. */
  affiliations(): Entry[] {
    return [...this.entries.values()].filter((e) => e.affiliation !== 'none').sort((a, b) => a.seq - b.seq);
  }
}
