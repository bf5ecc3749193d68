// Event notifications (XEP-0060 §7.1.2 items, §7.2.2.1 retract, §8.4.2 delete, §8.5.2 purge) as
// XEP-0163 §4.3.1 sends them: a headline message from the owner's bare JID.
import { randomBytes } from 'node:crypto';
import { xml, type Element } from '../../xml/element.ts';

export const NS_PUBSUB_EVENT = 'http://jabber.org/protocol/pubsub#event';
const NS_DELAY = 'urn:xmpp:delay';

export interface EventItem {
  id: string;
  /** Absent when the node does not deliver payloads (pubsub#deliver_payloads false). */
  payload?: Element;
}

export function itemsEvent(node: string, items: EventItem[]): Element {
  return xml('event', { xmlns: NS_PUBSUB_EVENT }, xml('items', { node }, items.map((i) => xml('item', { id: i.id }, i.payload?.clone()))));
}

export function retractEvent(node: string, ids: string[]): Element {
  return xml('event', { xmlns: NS_PUBSUB_EVENT }, xml('items', { node }, ids.map((id) => xml('retract', { id }))));
}

export function deleteEvent(node: string): Element {
  return xml('event', { xmlns: NS_PUBSUB_EVENT }, xml('delete', { node }));
}

export function purgeEvent(node: string): Element {
  return xml('event', { xmlns: NS_PUBSUB_EVENT }, xml('purge', { node }));
}

/**
 * The notification stanza; `delayedFrom` (ms) marks a last published item sent later (XEP-0163
 * §4.3.2, XEP-0203). The event is copied: one event goes to many recipients, and a stanza on its way
 * belongs to whoever handles it next.
 */
export function notification(from: string, to: string, event: Element, delayedFrom?: number): Element {
  const msg = xml('message', { type: 'headline', from, to, id: randomBytes(9).toString('base64url') }, event.clone());
  if (delayedFrom !== undefined) msg.append(xml('delay', { xmlns: NS_DELAY, from, stamp: new Date(delayedFrom).toISOString().replace(/\.\d{3}Z$/, 'Z') }));
  return msg;
}
