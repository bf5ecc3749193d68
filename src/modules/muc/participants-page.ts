// One page of the participant list (gc3-participants.md §1 Stability, §6): a k-way merge of the
// matching cells of the ParticipantIndex from a cursor position, with the entries whose rank
// changed since the walk began (ver0) taken out of their current place and merged back in at
// their pinned rank. Cost O(cells·log n + page·cells + changes since ver0); no scan of the room.
import type { Cell, ParticipantIndex } from './participants-order.ts';
import { orderKey } from './participants-order.ts';
import type { Entry } from './room.ts';

export interface PageRequest {
  /** Which cells (current rank, role, state) the filter accepts. */
  accept: (c: Cell) => boolean;
  /** Pinned ranks: seq → rank as of the walk's start (ParticipantIndex.pinnedSince). */
  pinned: Map<number, number>;
  /** Exclusive start position (an order key); undefined: from the start (forwards) or the end (backwards). */
  from?: number;
  backwards: boolean;
  limit: number;
}

export interface Placed {
  entry: Entry;
  /** The entry's order key in this walk (its pinned rank, seq). */
  key: number;
}

export interface PageResult {
  /** In list order (ascending), also for a backwards page. */
  items: Placed[];
  /** More entries lie beyond the page in the direction of travel. */
  more: boolean;
}

interface Head {
  next: () => Placed | undefined;
  cur: Placed | undefined;
}

export function participantPage(index: ParticipantIndex, req: PageRequest): PageResult {
  const { pinned, backwards, from } = req;
  const beyond = (key: number) => from === undefined || (backwards ? key < from : key > from);
  const heads: Head[] = [];

  // Entries still at their walk position, straight from the cells.
  for (const cell of index.matching(req.accept)) {
    const it = backwards ? cell.tree.entriesReversed(from) : cell.tree.entries(from);
    const next = (): Placed | undefined => {
      for (let r = it.next(); !r.done; r = it.next()) {
        const [key, entry] = r.value;
        if (!beyond(key) || pinned.has(entry.seq)) continue;
        return { entry, key };
      }
      return undefined;
    };
    heads.push({ next, cur: next() });
  }

  // Entries that moved since ver0, back at their pinned rank (attributes stay current).
  if (pinned.size > 0) {
    const moved: Placed[] = [];
    for (const [seq, rank] of pinned) {
      const entry = index.entryBySeq(seq);
      const cell = entry && index.cellOf(entry);
      if (!entry || !cell || !req.accept(cell)) continue;
      const key = orderKey(rank, seq);
      if (beyond(key)) moved.push({ entry, key });
    }
    moved.sort((a, b) => (backwards ? b.key - a.key : a.key - b.key));
    let i = 0;
    const next = () => moved[i++];
    heads.push({ next, cur: next() });
  }

  const items: Placed[] = [];
  let more = false;
  for (;;) {
    let best: Head | undefined;
    for (const h of heads) {
      if (h.cur && (!best || (backwards ? h.cur.key > best.cur!.key : h.cur.key < best.cur!.key))) best = h;
    }
    if (!best) break;
    if (items.length === req.limit) {
      more = true;
      break;
    }
    items.push(best.cur!);
    best.cur = best.next();
  }
  if (backwards) items.reverse();
  return { items, more };
}
