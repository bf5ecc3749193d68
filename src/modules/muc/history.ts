// Discussion history on join (XEP-0045 §7.2.13, §7.2.14): which messages a new occupant gets,
// from the <history/> it asked for and the room's limits. "The smallest amount of traffic that
// meets any combination of the criteria": maxstanzas, seconds/since and the room's
// muc#maxhistoryfetch bound a window of the newest messages, then maxchars keeps the largest
// number of complete (newest) stanzas whose characters fit.
import type { Element } from '../../xml/element.ts';

export interface HistoryRequest {
  maxchars?: number;
  maxstanzas?: number;
  seconds?: number;
  /** ms since epoch */
  since?: number;
}

export interface HistoryItem {
  id: string;
  timestamp: number;
  /** The stanza as it will be sent (its size counts against maxchars). */
  stanza: string;
}

const nonNegative = (v: string | undefined): number | undefined => {
  if (v === undefined || !/^\s*\d{1,10}\s*$/.test(v)) return undefined;
  return Number(v);
};

/** The <history/> child of a join's <x xmlns='…muc'/>; malformed attributes are ignored (no limit). */
export function parseHistoryRequest(x: Element | undefined): HistoryRequest {
  const h = x?.getChild('history');
  if (!h) return {};
  const req: HistoryRequest = {};
  const maxchars = nonNegative(h.attrs.maxchars);
  const maxstanzas = nonNegative(h.attrs.maxstanzas);
  const seconds = nonNegative(h.attrs.seconds);
  if (maxchars !== undefined) req.maxchars = maxchars;
  if (maxstanzas !== undefined) req.maxstanzas = maxstanzas;
  if (seconds !== undefined) req.seconds = seconds;
  if (h.attrs.since !== undefined) {
    const t = Date.parse(h.attrs.since);
    if (Number.isFinite(t)) req.since = t;
  }
  return req;
}

/** How many stanzas and from when to fetch at most: the window before maxchars is applied. */
export function historyWindow(req: HistoryRequest, limits: { defaultStanzas: number; maxFetch: number }, now: number): { limit: number; start?: number } {
  const limit = Math.min(req.maxstanzas ?? limits.defaultStanzas, limits.maxFetch);
  const starts = [req.since, req.seconds !== undefined ? now - req.seconds * 1000 : undefined].filter((t): t is number => t !== undefined);
  return starts.length ? { limit, start: Math.max(...starts) } : { limit };
}

/**
 * The history to send, oldest first, from candidate items (oldest first) already limited to the
 * window: drops items before `start`, keeps the newest `limit`, then the newest that fit maxchars.
 */
export function selectHistory(items: readonly HistoryItem[], req: HistoryRequest, window: { limit: number; start?: number }): HistoryItem[] {
  let out = items.filter((i) => window.start === undefined || i.timestamp >= window.start);
  if (out.length > window.limit) out = out.slice(out.length - window.limit);
  if (req.maxchars !== undefined) {
    let budget = req.maxchars;
    let first = out.length;
    while (first > 0 && out[first - 1].stanza.length <= budget) {
      budget -= out[first - 1].stanza.length;
      first--;
    }
    out = out.slice(first);
  }
  return out;
}

/** Recent messages of a room that is not archived (muc#roomconfig_enablelogging off), in memory. */
export class HistoryRing {
  private items: HistoryItem[] = [];
  constructor(private capacity: number) {}

  push(item: HistoryItem): void {
    this.items.push(item);
    if (this.items.length > this.capacity) this.items.splice(0, this.items.length - this.capacity);
  }

  /** The newest `limit` items at or after `start`, oldest first. */
  recent(limit: number, start?: number): HistoryItem[] {
    const from = start === undefined ? this.items : this.items.filter((i) => i.timestamp >= start);
    return from.slice(Math.max(0, from.length - limit));
  }

  find(id: string): HistoryItem | undefined {
    return this.items.find((i) => i.id === id);
  }

  clear(): void {
    this.items = [];
  }
}
