// Roster items on the wire (RFC 6121 §2.1.2): building <item/> elements and validating the one
// item of a roster set (§2.3.3 error cases).
import { tryParseJid, type Jid } from '../../jid/index.ts';
import type { RosterItem } from '../../core/services.ts';
import { StanzaError } from '../../stanza/errors.ts';
import { xml, type Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';

/** §2.1.2: ask and approved appear only when true; subscription='remove' marks a removal in a push (§2.5.2). */
export function itemElement(item: RosterItem | { jid: string; removed: true }): Element {
  if ('removed' in item) return xml('item', { jid: item.jid, subscription: 'remove' });
  return xml(
    'item',
    { jid: item.jid, name: item.name, subscription: item.subscription, ask: item.ask ? 'subscribe' : undefined, approved: item.approved ? 'true' : undefined },
    item.groups.map((g) => xml('group', {}, g)),
  );
}

export function queryElement(items: Element[], ver?: string): Element {
  return xml('query', { xmlns: NS.roster, ver }, items);
}

export interface RosterLimits {
  maxNameLength: number;
  maxGroupLength: number;
  maxGroups: number;
}

export type RosterSetRequest = { kind: 'remove'; jid: Jid } | { kind: 'update'; jid: Jid; name?: string; groups: string[] };

/** Validates the payload of a roster set; throws the StanzaError §2.3.3 names. */
export function parseRosterSet(query: Element, limits: RosterLimits): RosterSetRequest {
  const items = query.getChildElements();
  if (items.length !== 1 || !items[0].is('item', NS.roster)) throw new StanzaError('bad-request', 'A roster set carries exactly one <item/> (RFC 6121 §2.3.3)');
  const item = items[0];
  const jidAttr = item.attrs.jid;
  if (jidAttr === undefined) throw new StanzaError('bad-request', 'The item needs a jid attribute');
  const jid = tryParseJid(jidAttr);
  if (!jid) throw new StanzaError('jid-malformed', `${jidAttr.slice(0, 100)} is not a valid JID`);
  // §2.1.2.5: 'remove' is the only subscription value a client may set; others are ignored.
  if (item.attrs.subscription === 'remove') return { kind: 'remove', jid };
  const name = item.attrs.name;
  if (name !== undefined && [...name].length > limits.maxNameLength) throw new StanzaError('not-acceptable', `The name is longer than ${limits.maxNameLength} characters`);
  const groups: string[] = [];
  for (const g of item.getChildElements()) {
    if (!g.is('group', NS.roster)) continue;
    const text = g.getText();
    if (text.length === 0) throw new StanzaError('not-acceptable', 'A group name must not be empty');
    if ([...text].length > limits.maxGroupLength) throw new StanzaError('not-acceptable', `A group name is longer than ${limits.maxGroupLength} characters`);
    if (groups.includes(text)) throw new StanzaError('bad-request', `The group ${text.slice(0, 100)} is listed twice`);
    groups.push(text);
  }
  if (groups.length > limits.maxGroups) throw new StanzaError('not-acceptable', `An item may be in at most ${limits.maxGroups} groups`);
  return { kind: 'update', jid, name: name === '' ? undefined : name, groups };
}
