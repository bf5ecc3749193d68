// The sort rank of a stored MUC affiliation (gc3-participants.md §1 Order): owner 0, admin 1,
// member 2, none 3, outcast 4. Both drivers store it beside the affiliation so a room's list is
// read in (rank, seq) order straight from the (room, rank, seq) index.
const RANKS: Readonly<Record<string, number>> = { owner: 0, admin: 1, member: 2, none: 3, outcast: 4 };

export const affiliationRank = (affiliation: string): number => RANKS[affiliation] ?? 3;

/** The same mapping in SQL, for the migration that fills the column of existing rows. */
export const RANK_SQL = `CASE affiliation WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 WHEN 'member' THEN 2 WHEN 'outcast' THEN 4 ELSE 3 END`;

export interface PageKeyset {
  dir: 'ASC' | 'DESC';
  /** Exclusive start position, clamped into the rank range so the scan never walks ranks outside it. */
  from: { rank: number; seq: number };
  ranks: number[];
  minRank: number;
  maxRank: number;
}

/** The index range of an affiliationPage request (both drivers); null when it cannot hold a row. */
export function pageKeyset(q: { ranks: number[]; after?: { rank: number; seq: number }; before?: { rank: number; seq: number }; limit: number }): PageKeyset | null {
  const ranks = [...new Set(q.ranks.filter((r) => Number.isInteger(r) && r >= 0 && r <= 4))].sort((x, y) => x - y);
  if (ranks.length === 0 || q.limit <= 0) return null;
  const minRank = ranks[0];
  const maxRank = ranks[ranks.length - 1];
  if (q.before && !q.after) {
    const b = q.before;
    const from = b.rank > maxRank ? { rank: maxRank, seq: Number.MAX_SAFE_INTEGER } : b;
    return { dir: 'DESC', from, ranks, minRank, maxRank };
  }
  const a = q.after;
  const from = !a || a.rank < minRank ? { rank: minRank, seq: -1 } : a;
  return { dir: 'ASC', from, ranks, minRank, maxRank };
}
