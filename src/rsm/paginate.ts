// XEP-0059 paging over a list already held in memory (participant lists, room lists, ...), in the
// list's own stable order. Stores with large result sets page in SQL instead (see the MAM store).
import { StanzaError } from '../stanza/errors.ts';
import type { RsmRequest } from './request.ts';
import type { RsmPage } from './response.ts';

export interface Paged<T> extends RsmPage {
  items: T[];
  /** True when the page reaches the end of the result set in the direction it was requested. */
  complete: boolean;
}

/**
 * One page of `all` (already in its stable order) for an RSM request. `uid` gives each item's
 * UID. An unknown UID in <after/>/<before/> is item-not-found (§2.4: a UID here does not encode
 * a position). <index/> is honoured (§2.6); an index past the end gives an empty page.
 */
export function paginate<T>(all: readonly T[], uid: (item: T) => string, req: RsmRequest | undefined, max: number): Paged<T> {
  const count = all.length;
  const position = (id: string): number => {
    const i = all.findIndex((item) => uid(item) === id);
    if (i < 0) throw new StanzaError('item-not-found', 'No item with that UID in the result set');
    return i;
  };
  let start: number;
  let end: number; // exclusive
  let backwards = false;
  if (req?.before !== undefined && req.after === undefined) {
    backwards = true;
    end = req.before === '' ? count : position(req.before);
    start = Math.max(0, end - max);
  } else {
    start = req?.after !== undefined ? position(req.after) + 1 : Math.min(req?.index ?? 0, count);
    end = Math.min(count, start + max);
    if (req?.before !== undefined && req.before !== '') end = Math.min(end, position(req.before));
    end = Math.max(start, end);
  }
  const items = all.slice(start, end);
  const complete = backwards ? start === 0 : end === count;
  const page: Paged<T> = { items, complete, count };
  if (items.length > 0) {
    page.first = uid(items[0]);
    page.firstIndex = start;
    page.last = uid(items[items.length - 1]);
  }
  return page;
}
