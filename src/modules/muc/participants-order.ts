// The ordered index behind the participant list (gc3-participants.md §6): every entry of a room
// sits in one cell per (rank, role, state), each cell a B+ tree keyed by the entry's order key
// (rank, seq), so a page is a k-way merge of a few cells from a cursor: O(cells·log n + page),
// never a scan or a sort of the room. Also the room's list version `ver` (bumped on every change
// the list shows) and the rank-change log that pins each entry's rank for a walk (§1 Pinned ranks).
import { randomBytes } from 'node:crypto';
import btree from 'sorted-btree';
import type { Entry } from './room.ts';
import { AFFILIATION_RANK, type Role } from './types.ts';

const BTree = btree.default;
type Tree = InstanceType<typeof BTree<number, Entry>>;

/** online: ≥1 presence session; offline: only a bare-JID (New MUC) session; absent: affiliated, no session. */
export type ParticipantState = 'online' | 'offline' | 'absent';
export const PARTICIPANT_STATES: readonly ParticipantState[] = ['online', 'offline', 'absent'];

/** seq stays below 2^40, so (rank, seq) packs into one exactly comparable double. */
const SEQ_SPAN = 2 ** 40;
export const orderKey = (rank: number, seq: number): number => rank * SEQ_SPAN + seq;
export const keyRank = (key: number): number => Math.floor(key / SEQ_SPAN);

/** How long rank changes stay in the log; a walk older than this restarts (§1: ≥ 15 min). */
export const RANK_LOG_RETENTION_MS = 15 * 60_000;
/** At most this many logged changes per room; beyond it the oldest go and their walks restart. */
export const RANK_LOG_LIMIT = 50_000;

export interface Cell {
  readonly rank: number;
  readonly role: Role;
  readonly state: ParticipantState;
  readonly tree: Tree;
}

interface RankChange {
  ver: number;
  seq: number;
  oldRank: number;
  at: number;
}

interface Placement {
  cell: Cell;
  key: number;
  nick: string | null;
}

export function stateOf(e: Entry): ParticipantState {
  if (!e.occupant) return 'absent';
  for (const s of e.occupant.sessions.values()) if (s.jid.resource) return 'online';
  return 'offline';
}

/** The nick the list shows: the occupant's nick, else the reserved nick. */
export const listedNick = (e: Entry): string | null => e.occupant?.nick ?? e.reservedNick;

export class ParticipantIndex {
  /** Bumped on every change the list shows: entry create/delete, affiliation, role, nick, state. */
  ver = 0;
  /** Distinguishes this room's index from any earlier one (a restart): old cursors become item-not-found. */
  readonly epoch = randomBytes(6).toString('base64url');
  private readonly cells = new Map<string, Cell>();
  private readonly placed = new Map<Entry, Placement>();
  private readonly bySeq = new Map<number, Entry>();
  private readonly log: RankChange[] = [];
  /** Changes with ver > floor are all in the log; a walk that began before it cannot be pinned. */
  private floor = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Re-file an entry after any change to it (idempotent; bumps ver only when the list shows a change). */
  update(e: Entry): void {
    const rank = AFFILIATION_RANK[e.affiliation];
    const role: Role = e.occupant?.role ?? 'none';
    const state = stateOf(e);
    const nick = listedNick(e);
    const key = orderKey(rank, e.seq);
    const was = this.placed.get(e);
    if (was && was.cell.rank === rank && was.cell.role === role && was.cell.state === state) {
      if (was.nick !== nick) {
        was.nick = nick;
        this.ver++;
      }
      return;
    }
    this.ver++;
    if (was) {
      was.cell.tree.delete(was.key);
      if (was.cell.rank !== rank) this.logRankChange(e.seq, was.cell.rank);
    }
    const cell = this.cell(rank, role, state);
    cell.tree.set(key, e);
    this.placed.set(e, { cell, key, nick });
    this.bySeq.set(e.seq, e);
  }

  /** The entry is gone from the room (affiliation none and no session). */
  remove(e: Entry): void {
    const was = this.placed.get(e);
    if (!was) return;
    was.cell.tree.delete(was.key);
    this.placed.delete(e);
    this.bySeq.delete(e.seq);
    this.ver++;
  }

  entryBySeq(seq: number): Entry | undefined {
    return this.bySeq.get(seq);
  }

  /** The cell an entry sits in now (its current rank, role and state). */
  cellOf(e: Entry): Cell | undefined {
    return this.placed.get(e)?.cell;
  }

  /** Non-empty cells whose (rank, role, state) the predicate accepts. */
  matching(accept: (c: Cell) => boolean): Cell[] {
    return [...this.cells.values()].filter((c) => c.tree.size > 0 && accept(c));
  }

  /**
   * Entries whose rank changed after `ver0`, each with its rank as of ver0 (or at creation, for
   * entries created later): the first logged old rank after ver0. Null when the log no longer
   * reaches back to ver0.
   */
  pinnedSince(ver0: number): Map<number, number> | null {
    this.prune();
    if (ver0 < this.floor || ver0 > this.ver) return null;
    let lo = 0;
    let hi = this.log.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.log[mid].ver <= ver0) lo = mid + 1;
      else hi = mid;
    }
    const pinned = new Map<number, number>();
    for (let i = lo; i < this.log.length; i++) if (!pinned.has(this.log[i].seq)) pinned.set(this.log[i].seq, this.log[i].oldRank);
    return pinned;
  }

  private logRankChange(seq: number, oldRank: number): void {
    this.log.push({ ver: this.ver, seq, oldRank, at: this.now() });
    this.prune();
  }

  private prune(): void {
    const cutoff = this.now() - RANK_LOG_RETENTION_MS;
    let drop = 0;
    while (drop < this.log.length && (this.log[drop].at < cutoff || this.log.length - drop > RANK_LOG_LIMIT)) drop++;
    if (drop === 0) return;
    // The dropped change happened at its ver; walks that began before it can no longer be pinned.
    this.floor = this.log[drop - 1].ver;
    this.log.splice(0, drop);
  }

  private cell(rank: number, role: Role, state: ParticipantState): Cell {
    const k = `${rank}.${role}.${state}`;
    let c = this.cells.get(k);
    if (!c) {
      c = { rank, role, state, tree: new BTree<number, Entry>() };
      this.cells.set(k, c);
    }
    return c;
  }
}
