// Pure XEP-0191 logic: JID matching (§6), parsing <item/> lists, and what happens to a stanza
// from a blocked JID (§3.3). No I/O, so it is unit-tested without a server.
import { tryParseJid, type Jid } from '../../jid/index.ts';
import { StanzaError } from '../../stanza/errors.ts';
import { xml, type Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';

/**
 * XEP-0191 §6 (as XEP-0016): user@domain/resource matches only that resource; user@domain any of
 * its resources; domain/resource only that resource of the domain itself; domain the domain and
 * every user@domain and domain/resource.
 */
export function matchesItem(item: Jid, peer: Jid): boolean {
  if (item.domain !== peer.domain) return false;
  if (item.local !== '') return item.local === peer.local && (item.resource === '' || item.resource === peer.resource);
  if (item.resource !== '') return peer.local === '' && item.resource === peer.resource;
  return true;
}

export function isBlocked(list: readonly Jid[], peer: Jid): boolean {
  for (const item of list) if (matchesItem(item, peer)) return true;
  return false;
}

/**
 * The JIDs of a <block/> or <unblock/> element's <item/> children, normalized (RFC 7622) and
 * without duplicates, in request order. An item without a valid 'jid' fails the whole request
 * (RFC 6120 §8.3.3.8 jid-malformed), so nothing is half-applied.
 */
export function parseItems(command: Element): Jid[] {
  const out = new Map<string, Jid>();
  for (const item of command.getChildElements()) {
    if (!item.is('item', NS.blocking)) throw new StanzaError('bad-request', `Unexpected <${item.name}/> in <${command.name}/>`);
    const raw = item.attrs.jid;
    if (raw === undefined) throw new StanzaError('bad-request', 'An <item/> needs a jid attribute');
    const j = tryParseJid(raw);
    if (!j) throw new StanzaError('jid-malformed', `Not a valid JID: ${raw.slice(0, 100)}`);
    out.set(j.toString(), j);
  }
  return [...out.values()];
}

/**
 * XEP-0191 §3.3, a stanza from a blocked JID to the user: presence of any type is dropped without
 * an answer; messages get <service-unavailable/> (so the user appears offline); iq get/set get
 * <service-unavailable/>; iq result/error and error messages are dropped.
 */
export function inboundVerdict(stanza: Element): 'drop' | 'service-unavailable' {
  const type = stanza.attrs.type;
  if (stanza.name === 'presence') return 'drop';
  if (stanza.name === 'message') return type === 'error' ? 'drop' : 'service-unavailable';
  if (stanza.name === 'iq') return type === 'get' || type === 'set' ? 'service-unavailable' : 'drop';
  return 'drop';
}

/** XEP-0191 §3.3: the error for the user's own stanza to a JID they blocked. */
export function blockedError(): StanzaError {
  // A fresh element each time: an Element has one parent.
  return new StanzaError('not-acceptable', undefined, 'cancel', xml('blocked', { xmlns: NS.blockingErrors }));
}
