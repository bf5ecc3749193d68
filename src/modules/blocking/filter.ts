// XEP-0191 §3.3 enforcement on the routing path. Three places see a stanza:
//  - 'client/stanza': the user's own stanza to a JID they blocked is answered with
//    <not-acceptable/> + <blocked xmlns='urn:xmpp:blocking:errors'/> and not routed;
//  - '<kind>/bare|full' for local accounts: a stanza from a JID the recipient blocked is dropped or
//    answered with <service-unavailable/> (inboundVerdict), so the user appears offline;
//  - the same hooks and 'route/remote': stanzas the server generates for a local account (presence
//    broadcasts, PEP notifications...) are not sent to JIDs that account blocked.
// Never filtered: traffic between one account's own resources (§5: "MUST NOT block communications
// from one of a user's resources to another"), and the user's own server (blocking one's own
// domain must not cut the client off from it).
import type { Jid } from '../../jid/index.ts';
import { tryParseJid } from '../../jid/index.ts';
import type { Routed } from '../../hooks/events.ts';
import type { LocalSession } from '../../router/session.ts';
import { errorReply, StanzaError } from '../../stanza/errors.ts';
import type { Element } from '../../xml/element.ts';
import { blockedError, inboundVerdict } from './match.ts';

export interface FilterDeps {
  isBlocked(username: string, domain: string, peer: Jid): Promise<boolean>;
  isLocalDomain(domain: string): boolean;
  /** Stanzas this module sends on purpose (unavailable presence on block, §3.3). */
  exempt: WeakSet<Element>;
}

const isServerOf = (peer: Jid, domain: string) => peer.local === '' && peer.domain === domain;

/** Recipient side, for stanzas to a local account. Returns true when the stanza is consumed. */
export async function filterInbound(r: Routed, deps: FilterDeps): Promise<boolean> {
  const { stanza, from, to } = r;
  if (deps.exempt.has(stanza) || from.bare().equals(to.bare())) return false;
  if (to.local !== '' && !isServerOf(from, to.domain) && (await deps.isBlocked(to.local, to.domain, from))) {
    if (inboundVerdict(stanza) === 'drop') return true;
    throw new StanzaError('service-unavailable');
  }
  return filterGenerated(r, deps);
}

/**
 * A stanza from a local account that did not come from its client (those went through
 * filterClient): not routed to a JID the account blocked. Errors pass, since they answer the
 * blocked JID's own stanzas (the <service-unavailable/> above).
 */
export async function filterGenerated(r: Routed, deps: FilterDeps): Promise<boolean> {
  const { stanza, from, to } = r;
  if (deps.exempt.has(stanza) || stanza.attrs.type === 'error') return false;
  if (from.local === '' || !deps.isLocalDomain(from.domain) || from.bare().equals(to.bare()) || isServerOf(to, from.domain)) return false;
  return deps.isBlocked(from.local, from.domain, to);
}

/** Sender side: the user's client addressed a JID they blocked. */
export async function filterClient(stanza: Element, session: LocalSession, deps: FilterDeps): Promise<boolean> {
  const toAttr = stanza.attrs.to;
  if (toAttr === undefined) return false;
  const to = tryParseJid(toAttr);
  if (!to) return false; // the router answers jid-malformed
  const me = session.jid;
  if (to.bare().equals(me.bare()) || isServerOf(to, me.domain)) return false;
  if (!(await deps.isBlocked(me.local, me.domain, to))) return false;
  const reply = errorReply(stanza, blockedError());
  if (reply) session.send(reply);
  return true;
}
