// Which messages go into a user's archive (XEP-0313 §6.1.1 "User Archives", XEP-0334 hints).
import type { Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';

/**
 * Payloads that carry conversation content without a <body/>: end-to-end encrypted messages,
 * invitations, calls, reactions, retractions. Chat states, receipts and markers are state
 * changes and stay out (§3: "rather than state changes such as Chat State Notifications").
 */
const CONTENT: Array<[name: string | null, ns: string]> = [
  ['encrypted', 'eu.siacs.conversations.axolotl'], // OMEMO (XEP-0384 0.3)
  ['encrypted', 'urn:xmpp:omemo:2'], // OMEMO 2
  ['openpgp', 'urn:xmpp:openpgp:0'], // XEP-0373
  ['x', 'jabber:x:encrypted'], // XEP-0027
  ['x', NS.conferenceInvite], // XEP-0249 direct invitation
  [null, 'urn:xmpp:jingle-message:0'], // XEP-0353 call propose/retract/accept/proceed/reject
  ['reactions', 'urn:xmpp:reactions:0'], // XEP-0444
  ['retract', 'urn:xmpp:message-retract:1'], // XEP-0424
  ['x', NS.oob], // XEP-0066 shared file
  ['file-sharing', 'urn:xmpp:sfs:0'], // XEP-0447 shared file (custom emoji images too, docs/emoji.md)
];

function hasContent(m: Element): boolean {
  if (m.getChild('body', NS.client) || m.getChild('body')) return true;
  for (const child of m.getChildElements()) {
    const ns = child.getNS();
    if (ns === NS.mucUser && child.getChild('invite', NS.mucUser)) return true; // XEP-0045 §7.8.2 mediated invitation
    for (const [name, want] of CONTENT) if (ns === want && (name === null || child.localName === name)) return true;
  }
  return false;
}

/**
 * Whether a message belongs in a one-to-one user archive. Types normal and chat with content
 * (§6.1.1); never errors; groupchat stays in room archives and headlines are not archived (both
 * MAY). XEP-0334 §4: <no-store/> and <no-permanent-store/> keep it out, <store/> puts a normal
 * or chat message in even without content.
 */
export function isArchivable(m: Element): boolean {
  if (m.name !== 'message') return false;
  const type = m.attrs.type ?? 'normal';
  if (type !== 'normal' && type !== 'chat') return false;
  if (m.getChild('no-store', NS.hints) || m.getChild('no-permanent-store', NS.hints)) return false;
  if (m.getChild('store', NS.hints)) return true;
  return hasContent(m);
}
