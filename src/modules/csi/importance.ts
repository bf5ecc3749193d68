// Which stanzas an inactive client (XEP-0352) gets at once, and which can wait. Pure rules.
// XEP-0352 §1 leaves the policy to the server; these follow its examples ("suppress presence
// updates ... push the latest presence from each contact", "discard messages containing only
// XEP-0085 payloads", "defer unimportant PEP notifications") without ever discarding: held
// stanzas are only delayed, and superseded ones (an older presence, an older chat state of the
// same sender) replaced.
import type { Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';

export type Importance =
  /** Deliver now, after what is held (order is kept). */
  | { kind: 'urgent' }
  /** Deliver now without touching what is held: it has no order relation with it. */
  | { kind: 'bypass' }
  /** Hold; a later stanza with the same key replaces it. */
  | { kind: 'squash'; key: string }
  /** Hold. */
  | { kind: 'defer' };

const URGENT: Importance = { kind: 'urgent' };
const DEFER: Importance = { kind: 'defer' };

const SUBSCRIPTION_TYPES = new Set(['subscribe', 'subscribed', 'unsubscribe', 'unsubscribed']);
const MAM_NS = /^urn:xmpp:mam:/;

export function importance(stanza: Element): Importance {
  const type = stanza.attrs.type;
  // An error is an answer to something the user did: it must not wait.
  if (type === 'error') return URGENT;
  if (stanza.name === 'iq') {
    // A ping only asks whether the client is alive (XEP-0199): answering it needs nothing held.
    if (type === 'get' && stanza.getChild('ping', NS.ping)) return { kind: 'bypass' };
    return URGENT;
  }
  if (stanza.name === 'presence') {
    // Subscription requests and answers need the user (RFC 6121 §3); MUC self-presence (status
    // 110, XEP-0045 §7.2.2) completes a join the client is waiting for.
    if (type !== undefined && SUBSCRIPTION_TYPES.has(type)) return URGENT;
    const x = stanza.getChild('x', NS.mucUser);
    if (x?.getChildren('status').some((s) => s.attrs.code === '110')) return URGENT;
    if (type === undefined || type === 'unavailable') return { kind: 'squash', key: `presence\u0000${stanza.attrs.from ?? ''}` };
    return DEFER; // probe, or anything else that is not for the user's eyes
  }
  if (stanza.name === 'message') return messageImportance(stanza);
  return DEFER;
}

function messageImportance(m: Element): Importance {
  if (carriesContent(m)) return URGENT;
  // XEP-0280 carbons: as important as the message they carry.
  for (const wrapper of ['received', 'sent']) {
    const inner = m.getChild(wrapper, NS.carbons)?.getChild('forwarded', NS.forward)?.getChild('message');
    if (inner && carriesContent(inner)) return URGENT;
  }
  // XEP-0313 results answer a query the client just made; its iq result comes after them.
  if (m.getChildElements().some((c) => c.localName === 'result' && MAM_NS.test(c.getNS() ?? ''))) return URGENT;
  const payload = m.getChildElements().filter((c) => c.getNS() !== NS.hints && !(c.localName === 'thread' && c.getNS() === NS.client));
  // XEP-0085: only the latest chat state of a conversation matters.
  if (payload.length > 0 && payload.every((c) => c.getNS() === NS.chatstates)) return { kind: 'squash', key: `chatstate\u0000${m.attrs.from ?? ''}` };
  return DEFER;
}

/** What a user would want to see now: text, encrypted text, a call, an invitation. */
function carriesContent(m: Element): boolean {
  for (const c of m.getChildElements()) {
    const ns = c.getNS();
    if ((c.localName === 'body' || c.localName === 'subject') && (ns === NS.client || ns === undefined)) return true;
    if (c.localName === 'encrypted') return true; // XEP-0384 OMEMO, XEP-0420 and friends
    if (ns === NS.jingleMessage) return true; // XEP-0353 call propose/retract/accept
    if (ns === NS.conferenceInvite) return true; // XEP-0249 direct invitation
    if (ns === NS.mucUser && c.getChild('invite')) return true; // XEP-0045 §7.8.2 mediated invitation
  }
  return false;
}
