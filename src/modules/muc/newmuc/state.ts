// Which sessions in which rooms speak New MUC, and what each asked for (presence level,
// visibility, bare-JID session); plus what the view layer remembers per room: occupant-id →
// bare JID, when each occupant's presence state last changed (for <delay/>), and — per
// session — the last state of each occupant it was shown (presence level 'join').
// Records are keyed by session JID and bound to the room's Session object on first use, so a
// record never outlives its session into a later MUC1 join from the same full JID.
import type { Entry, Room, Session } from '../room.ts';
import type { PresenceLevel, Visibility } from './ns.ts';

export interface Muc2Session {
  level: PresenceLevel;
  visibility: Visibility;
  /** A bare-JID occupancy session (IQ join), not a client's presence session. */
  bare: boolean;
  /** The room's Session this record belongs to, once it exists. */
  session?: Session;
  /** occupant-id → the state key last shown to this session (what 'join' level compares). */
  shown: Map<string, string>;
}

interface RoomState {
  sessions: Map<string, Muc2Session>;
  /** occupant-id → real bare JID (filled from the room's entries on a miss). */
  ids: Map<string, string>;
  /** occupant-id → last presence state key and when it changed. */
  changed: Map<string, { key: string; at: number }>;
  /** real bare JID → visibility the occupant asked for (absent: the room's setting). */
  visibility: Map<string, Visibility>;
}

/** How long a record whose session has left is kept (its last unavailable presence still needs it). */
const GONE_GRACE_MS = 2000;

export class NewMucState {
  private readonly rooms = new WeakMap<Room, RoomState>();
  /** New MUC records in this service; when 0 the view layer passes everything through untouched. */
  active = 0;

  private of(room: Room): RoomState {
    let s = this.rooms.get(room);
    if (!s) this.rooms.set(room, (s = { sessions: new Map(), ids: new Map(), changed: new Map(), visibility: new Map() }));
    return s;
  }

  /** Mark a session (about to join) as New MUC. */
  add(room: Room, sessionJid: string, info: Omit<Muc2Session, 'shown' | 'session'>): Muc2Session {
    const s = this.of(room);
    if (!s.sessions.has(sessionJid)) this.active++;
    const rec: Muc2Session = { ...info, shown: new Map() };
    s.sessions.set(sessionJid, rec);
    return rec;
  }

  /** Whether the room has (or just had) a New MUC session: only then does the view look at its stanzas. */
  inUse(room: Room): boolean {
    return (this.rooms.get(room)?.sessions.size ?? 0) > 0;
  }

  forget(room: Room, sessionJid: string): void {
    const s = this.rooms.get(room);
    if (s?.sessions.delete(sessionJid)) this.active--;
  }

  /** The New MUC record of a session JID in the room, or undefined for a MUC1 (or no) session. */
  get(room: Room, sessionJid: string): Muc2Session | undefined {
    const rec = this.rooms.get(room)?.sessions.get(sessionJid);
    if (!rec) return undefined;
    const live = room.bySessionJid(sessionJid)?.occupant?.sessions.get(sessionJid);
    if (live) {
      if (!rec.session) rec.session = live;
      else if (rec.session !== live) {
        // A new session under the same JID (a later MUC1 join): the record was the old one's.
        this.forget(room, sessionJid);
        return undefined;
      }
      return rec;
    }
    if (rec.session) {
      // Left: keep it a moment for the last presence that is still on its way, then drop it.
      setTimeout(() => {
        if (this.rooms.get(room)?.sessions.get(sessionJid) === rec && !room.bySessionJid(sessionJid)) this.forget(room, sessionJid);
      }, GONE_GRACE_MS).unref();
    }
    return rec;
  }

  /** Every New MUC record of a bare JID's sessions in the room that still has its session. */
  sessionsOf(room: Room, entry: Entry): Muc2Session[] {
    const out: Muc2Session[] = [];
    for (const k of entry.occupant?.sessions.keys() ?? []) {
      const rec = this.get(room, k);
      if (rec) out.push(rec);
    }
    return out;
  }

  entryById(room: Room, occupantId: string): Entry | undefined {
    const s = this.of(room);
    let bare = s.ids.get(occupantId);
    if (bare === undefined) {
      for (const e of room.occupantEntries()) s.ids.set(room.occupantId(e.jid), e.jid);
      bare = s.ids.get(occupantId);
    }
    return bare === undefined ? undefined : room.entry(bare);
  }

  /** Record an occupant's presence state; returns when it last changed. */
  stateChange(room: Room, occupantId: string, key: string, now: number): number {
    const c = this.of(room).changed;
    const last = c.get(occupantId);
    if (last && last.key === key) return last.at;
    if (c.size >= 10_000) c.clear();
    c.set(occupantId, { key, at: now });
    return now;
  }

  lastChange(room: Room, occupantId: string): number | undefined {
    return this.rooms.get(room)?.changed.get(occupantId)?.at;
  }

  visibilityOf(room: Room, bare: string): Visibility {
    return this.rooms.get(room)?.visibility.get(bare) ?? 'room';
  }

  setVisibility(room: Room, bare: string, v: Visibility): void {
    const m = this.of(room).visibility;
    if (v === 'room') m.delete(bare);
    else m.set(bare, v);
  }
}
