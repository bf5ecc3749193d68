// XEP-0059 Result Set Management: the <set/> a requesting entity sends, parsed into a typed request.
// Pure: no server state, so MAM, MUC and participant lists share it.
import type { Element } from '../xml/element.ts';
import { StanzaError } from '../stanza/errors.ts';

export const NS_RSM = 'http://jabber.org/protocol/rsm';

export interface RsmRequest {
  /** <max/>: most items wanted on this page; 0 asks for the count only (§2.7). Absent: the service's default. */
  max?: number;
  /** <after/>: UID of the item just before the page (§2.2, paging forwards). */
  after?: string;
  /**
   * <before/>: UID of the item just after the page (§2.3, paging backwards); '' for an empty
   * <before/>, which asks for the last page of the result set (§2.5).
   */
  before?: string;
  /** <index/>: position of the first item wanted (§2.6, "retrieving a page out of order"). */
  index?: number;
}

// XEP-0059 schema: max and index are non-negative integers. Anything else is a malformed request.
function nonNegativeInteger(text: string, what: string): number {
  const t = text.trim();
  if (!/^\d{1,9}$/.test(t)) throw new StanzaError('bad-request', `RSM <${what}/> must be a non-negative integer`);
  return Number(t);
}

/** The <set xmlns='http://jabber.org/protocol/rsm'/> child of `parent`, parsed; undefined when absent. */
export function parseRsm(parent: Element): RsmRequest | undefined {
  const set = parent.getChild('set', NS_RSM);
  return set ? parseRsmSet(set) : undefined;
}

export function parseRsmSet(set: Element): RsmRequest {
  const req: RsmRequest = {};
  const max = set.getChild('max', NS_RSM);
  if (max) req.max = nonNegativeInteger(max.getText(), 'max');
  const after = set.getChild('after', NS_RSM);
  if (after) {
    const uid = after.getText();
    // §2.2: <after/> names an item; unlike <before/> it has no meaning when empty.
    if (uid === '') throw new StanzaError('bad-request', 'RSM <after/> must name an item');
    req.after = uid;
  }
  const before = set.getChild('before', NS_RSM);
  if (before) req.before = before.getText();
  const index = set.getChild('index', NS_RSM);
  if (index) req.index = nonNegativeInteger(index.getText(), 'index');
  return req;
}

/** The page size to use: the request's max, else `defaultMax`, never above `limit` (XEP-0059 §2.1 lets the responder cap it). */
export function pageSize(req: RsmRequest | undefined, defaultMax: number, limit: number): number {
  return Math.min(req?.max ?? defaultMax, limit);
}
