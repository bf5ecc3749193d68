// Running a MAM query (XEP-0313 §4) against one archive: form + RSM in, result messages and the
// <fin/> out. Paging is by archive id cursors (XEP-0059 after/before), never by offset.
import { randomBytes } from 'node:crypto';
import type { Jid } from '../../jid/index.ts';
import { buildRsmSet, pageSize, parseRsm } from '../../rsm/index.ts';
import { StanzaError } from '../../stanza/errors.ts';
import type { ArchiveStore, ArchivedMessage } from '../../storage/types.ts';
import { parseElement } from '../../xml/parse-element.ts';
import { xml, type Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';
import { parseQueryForm } from './form.ts';

export interface QueryLimits {
  /** Page size when the client gives no RSM <max/>. */
  defaultPageSize: number;
  /** Largest page served, whatever the client asks (XEP-0313 §4.3.1 lets the server cap it). */
  maxPageSize: number;
  /** Send RSM <count/> and <first index/> for result sets of at most this many messages (0: never). */
  countLimit: number;
}

export interface QueryTarget {
  store: ArchiveStore;
  /** The archive's bare JID: results come from it (§8.2: clients check that). */
  owner: Jid;
  /** The querying entity's full JID. */
  to: Jid;
  /** A user's own archive: groupchat only with 'include-groupchat' true (§4.1.4); a room's archive ignores the field. */
  userArchive?: boolean;
}

// Result message ids: unique per process without a random draw per message.
const idPrefix = randomBytes(4).toString('hex');
let idSeq = 0;

/** XEP-0313 §4.2: <message><result queryid id><forwarded><delay stamp/>original</forwarded></result></message>. */
export function resultMessage(item: ArchivedMessage, target: QueryTarget, queryId: string | undefined): Element {
  const original = parseElement(item.stanza);
  // §3.2: a stored message that cannot be shown keeps its place, id and time; a placeholder stands in.
  const forwarded = xml('forwarded', { xmlns: NS.forward },
    xml('delay', { xmlns: NS.delay, stamp: new Date(item.timestamp).toISOString() }),
    original ?? xml('message', { xmlns: NS.client }));
  return xml('message', { to: target.to.toString(), from: target.owner.toString(), id: `mam-${idPrefix}-${(++idSeq).toString(36)}` },
    xml('result', { xmlns: NS.mam, queryid: queryId, id: item.id }, forwarded));
}

/**
 * Runs the query in `payload` (<query xmlns='urn:xmpp:mam:2'/>). Returns the result messages in
 * the order they are to be sent and the <fin/> for the iq result. Throws StanzaError.
 */
export async function runQuery(payload: Element, target: QueryTarget, limits: QueryLimits): Promise<{ messages: Element[]; fin: Element }> {
  const queryId = payload.attrs.queryid;
  const filter = parseQueryForm(payload.getChild('x', NS.dataForms), limits.maxPageSize);
  const rsm = parseRsm(payload);
  // XEP-0059 §2.6 allows refusing <index/> when it would be costly: it needs an OFFSET scan.
  if (rsm?.index !== undefined) throw new StanzaError('feature-not-implemented', 'Paging by index is not supported; page with after/before');
  const limit = pageSize(rsm, limits.defaultPageSize, limits.maxPageSize);
  // XEP-0313 §4.3.3 / XEP-0059 §2.5: <before/> (even empty) pages backwards from the end. With
  // both <after/> and <before/> (undefined by §4.3.2) the page lies between them, read forwards.
  const backwards = rsm?.before !== undefined && rsm.after === undefined;
  const page = await target.store.query({ username: target.owner.local, domain: target.owner.domain }, {
    with: filter.with?.toString(),
    start: filter.start,
    end: filter.end,
    afterId: filter.afterId,
    beforeId: filter.beforeId,
    ids: filter.ids,
    pageAfter: rsm?.after,
    pageBefore: rsm?.before || undefined,
    backwards,
    // §4.1.4 leaves the default to the server: groupchat only when the client asks for it.
    excludeGroupchat: target.userArchive === true && filter.includeGroupchat !== true,
    limit,
    countLimit: limits.countLimit,
  });
  // §4.1.3 and §4.3.2: an id the archive does not hold is item-not-found.
  if (page.unknownIds.length > 0) throw new StanzaError('item-not-found', `No message with id ${page.unknownIds[0]} in this archive`);

  const messages = page.items.map((item) => resultMessage(item, target, queryId));
  // §4.3.4 flip-page: same page, sent newest first.
  if (payload.getChild('flip-page', NS.mam)) messages.reverse();
  const first = page.items[0];
  const last = page.items[page.items.length - 1];
  const fin = xml('fin', { xmlns: NS.mam, complete: page.complete ? 'true' : 'false' },
    buildRsmSet({ first: first?.id, last: last?.id, firstIndex: page.firstIndex, count: page.count }));
  return { messages, fin };
}
