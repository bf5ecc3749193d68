// Pure XEP-0160 rules: which messages are kept for an offline account, and the XEP-0203 delay
// stamp they carry when delivered later.
import { xml, type Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';

export type StoreVerdict = 'store' | 'wrong-type' | 'no-store-hint' | 'chat-state-only';

/**
 * XEP-0160 §3: store "normal" (or no type) and "chat" messages, but not chat messages that carry
 * only XEP-0085 chat states; never groupchat, headline or error. XEP-0334 §4: <no-store/> forbids
 * storing "temporarily, e.g. for later delivery to an offline client"; <store/> asks to store a
 * message the heuristics would skip. What is not stored is bounced with <service-unavailable/>
 * (RFC 6121 §8.5.2.1.1 allows only store-or-bounce for normal and chat), never dropped silently.
 */
export function storeVerdict(stanza: Element): StoreVerdict {
  const type = stanza.attrs.type ?? 'normal';
  if (type !== 'normal' && type !== 'chat') return 'wrong-type';
  if (stanza.getChild('no-store', NS.hints)) return 'no-store-hint';
  if (stanza.getChild('store', NS.hints)) return 'store';
  const content = stanza.getChildElements().filter((c) => c.getNS() !== NS.hints && !(c.localName === 'thread' && c.getNS() === NS.client));
  if (content.length > 0 && content.every((c) => c.getNS() === NS.chatstates)) return 'chat-state-only';
  return 'store';
}

/**
 * A copy of the message with a XEP-0203 <delay/> from our domain saying when it was stored
 * (XEP-0160 §2 RECOMMENDs it). A delay we already added is not added twice; delays from other
 * entities (a remote server's own offline storage) are kept beside it.
 */
export function withDelay(stanza: Element, domain: string, storedAt: Date): Element {
  const copy = stanza.clone();
  if (!copy.getChildren('delay', NS.delay).some((d) => d.attrs.from === domain)) {
    copy.append(xml('delay', { xmlns: NS.delay, from: domain, stamp: xep0082DateTime(storedAt) }, 'Offline Storage'));
  }
  return copy;
}

/** XEP-0082 §3.2 DateTime in UTC, with milliseconds (fractions of a second are allowed). */
export function xep0082DateTime(d: Date): string {
  return d.toISOString();
}
