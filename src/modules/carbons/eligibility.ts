// XEP-0280 §6.1: which messages are carbon-copied. Pure: looks only at the stanza.
// Parley's reading of the rules (docs/xeps.md):
//   - <private xmlns='urn:xmpp:carbons:2'/> (§7) or the XEP-0334 <no-copy/> hint: never copied;
//   - type error: never copied (the §6.1 rule for errors that answer eligible messages needs
//     per-message tracking; without it Parley does not advertise urn:xmpp:carbons:rules:0);
//   - type groupchat and headline: never copied (not one-to-one IM);
//   - a MUC private message received from an occupant (muc#user <x/> without an invitation):
//     not copied, the MUC already reaches every joined client (§6.1.1); sent ones are copied;
//   - chat; normal with a <body/>; XEP-0249 direct and mediated MUC invitations; messages with
//     receipts (XEP-0184), chat states (XEP-0085) or chat markers (XEP-0333): copied.
import type { Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';

export type CarbonDirection = 'sent' | 'received';

const IM_PAYLOADS = [NS.receipts, NS.chatstates, NS.chatMarkers] as const;

function hasChildIn(m: Element, ns: string): boolean {
  return m.getChildElements().some((c) => c.getNS() === ns);
}

/** Whether the sender or a hint opted this message out of carbons (XEP-0280 §7, XEP-0334 §4.3). */
export function optedOut(m: Element): boolean {
  return m.getChild('private', NS.carbons) !== undefined || m.getChild('no-copy', NS.hints) !== undefined;
}

/** Whether the message is itself a carbon copy (never copied again). */
export function isCarbon(m: Element): boolean {
  return m.getChild('sent', NS.carbons) !== undefined || m.getChild('received', NS.carbons) !== undefined;
}

export function isEligible(m: Element, direction: CarbonDirection): boolean {
  if (m.name !== 'message' || optedOut(m) || isCarbon(m)) return false;
  const type = m.attrs.type ?? 'normal';
  if (type === 'error' || type === 'groupchat' || type === 'headline') return false;
  const mucUser = m.getChild('x', NS.mucUser);
  const mediatedInvite = mucUser?.getChild('invite') !== undefined;
  if (mediatedInvite || m.getChild('x', NS.conferenceInvite)) return true;
  // §6.1.1: a private message from an occupant is already sent by the MUC to every joined client.
  if (mucUser && direction === 'received') return false;
  if (type === 'chat') return true;
  if (m.getChild('body') !== undefined) return true;
  return IM_PAYLOADS.some((ns) => hasChildIn(m, ns));
}
