// XEP-0059 Result Set Management: the <set/> a responding entity returns with a page.
import { xml, type Element } from '../xml/element.ts';
import { NS_RSM } from './request.ts';

export interface RsmPage {
  /** UID of the first item on the page (absent on an empty page, §2.2). */
  first?: string;
  /** Position of the first item in the full result set (§2.2 'index'); omit when unknown. */
  firstIndex?: number;
  /** UID of the last item on the page. */
  last?: string;
  /** Items in the full result set; may be omitted only when too costly to compute (§2.2 note). */
  count?: number;
}

/** <set xmlns='http://jabber.org/protocol/rsm'>: first and last only when the page has items (§2.2). */
export function buildRsmSet(page: RsmPage): Element {
  const set = xml('set', { xmlns: NS_RSM });
  if (page.first !== undefined && page.last !== undefined) {
    set.append(xml('first', { index: page.firstIndex === undefined ? undefined : String(page.firstIndex) }, page.first));
    set.append(xml('last', {}, page.last));
  }
  if (page.count !== undefined) set.append(xml('count', {}, String(page.count)));
  return set;
}
