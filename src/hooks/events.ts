// Every hook event, with its payload type. Adding a cross-cutting behaviour starts here.
import type { Jid } from '../jid/index.ts';
import type { LocalSession } from '../router/session.ts';
import type { Element } from '../xml/element.ts';
import type { RosterItem } from '../core/services.ts';

/** A stanza on its way through the router; from/to are parsed and trusted (stamped by the origin). */
export interface Routed {
  stanza: Element;
  from: Jid;
  to: Jid;
  /** The local client session it came from, if any. */
  origin?: LocalSession;
}

export interface HookEvents {
  /** Every stanza a bound client sends, after `from` is stamped; consume to stop routing (blocking, SM, rate limits). */
  'client/stanza': { stanza: Element; session: LocalSession };
  /** Presence without 'to' from a client (RFC 6121 §4.2/§4.4); the core has already updated session.presence. */
  'presence/broadcast': { stanza: Element; session: LocalSession; wasAvailable: boolean };
  /** Stanzas addressed to a local account's bare JID, full JID, or a local domain. Consume to handle them. */
  'message/bare': Routed;
  'message/full': Routed;
  'message/host': Routed;
  'presence/bare': Routed;
  'presence/full': Routed;
  'presence/host': Routed;
  /** iq get/set to the domain or an account's bare JID, before the iq handler registry; iq to a full JID. */
  'iq/host': Routed;
  'iq/bare': Routed;
  'iq/full': Routed;
  /**
   * A message for a local account with no resource to take it (RFC 6121 §8.5.2.1.1): offline storage consumes it.
   * mam observes message/bare|full at priority 50 and this event at 500 (archive + XEP-0359 stanza-id before
   * delivery or storage): consume at lower priorities so stored copies carry the stanza-id.
   */
  'message/offline': Routed;
  /** Delivered to a local session (carbons, archive observe this). */
  'message/delivered': Routed & { session: LocalSession };
  /** Stanzas for a domain that is not ours: s2s (or the cluster) consumes them. */
  'route/remote': Routed;
  /** Stanzas for a local component's domain (MUC...), before the component: the cluster consumes those for rooms another node owns. */
  'route/component': Routed;
  'session/bound': { session: LocalSession };
  'session/closed': { session: LocalSession; reason: string };
  /**
   * XEP-0198 §5: the session's connection was lost but the session is kept for resumption: it stays
   * in the session table with its presence (session.connected is false) and stanzas routed to it
   * wait in its queue. It later either resumes ('session/resumed') or ends ('session/closed').
   */
  'session/hibernated': { session: LocalSession; reason: string };
  /** XEP-0198 §5: a new connection took the session over (same full JID, presence and routing). */
  'session/resumed': { session: LocalSession };
  /** Account lifecycle, so modules can drop per-user data. */
  'account/deleted': { username: string; domain: string };
  /**
   * A roster item of a local account was stored or (item null) removed, by the client (RFC 6121 §2.3,
   * §2.5) or by a subscription change (§3). Fired by the roster module after the change is durable and
   * pushed; PEP can use a new 'from'/'both' subscription to send last published items (XEP-0163 §4.3.2).
   */
  'roster/changed': { username: string; domain: string; jid: string; item: RosterItem | null; previous: RosterItem | null };
  /**
   * A local account stored (or, with vcard null, removed) its vCard-temp (XEP-0054). photoHash is the
   * hex SHA-1 of the PHOTO's decoded BINVAL (XEP-0153 §3.2), null when there is no binary photo.
   * Observed by PEP to keep vCard4 / avatar metadata (XEP-0292, XEP-0084, XEP-0398) in sync.
   */
  'vcard/updated': { username: string; domain: string; vcard: Element | null; photoHash: string | null };
  /**
   * XEP-0115: the verified disco#info features of an available full JID (local or remote) became
   * known or changed; `previous` is what was known before for the same presence session. Fired by
   * the caps module; PEP uses it to send last published items for new +notify interests (XEP-0163 §4.3).
   */
  'caps/resolved': { jid: Jid; features: ReadonlySet<string>; previous?: ReadonlySet<string> };
  /**
   * An item was published to a local account's PEP node (XEP-0163), by a client or by the server on
   * the account's behalf (vCard-temp avatar sync, bookmarks compatibility). Observers must not
   * re-publish the same data unchanged (that would loop).
   */
  'pep/item-published': { owner: Jid; node: string; itemId: string; payload: Element; publisher: Jid };
}
