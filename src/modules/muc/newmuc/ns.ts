// New MUC ("MUC2", proto-XEP 0.1, ../shared/xeps/inbox/new-muc.xml) wire vocabulary and the
// shapes Parley gives the gaps the proto-XEP leaves (new-muc.md §3).
export const NS_MUC2 = 'urn:xmpp:muc:0';
export const NS_MUC2_PAM = 'urn:xmpp:muc:pam:0';
/** XEP-0310 presence state annotations: how a MUC1 client learns a bare-JID occupant is not online. */
export const NS_PSA = 'urn:xmpp:psa';

/** Proto-XEP §"Presence Broadcast": full (default), join (available↔unavailable only), none. */
export type PresenceLevel = 'full' | 'join' | 'none';
export const PRESENCE_LEVELS: readonly PresenceLevel[] = ['full', 'join', 'none'];

/** Proto-XEP §"Joining via Presence": anonymous; 'non-anonymous' is Parley's (provisional) opposite; 'room' = not asked. */
export type Visibility = 'anonymous' | 'non-anonymous' | 'room';

/** new-muc.md §1: the occupant address resource is '-' + the 22-char XEP-0421 occupant-id. */
export const ADDRESS_PREFIX = '-';
export const OCCUPANT_ADDRESS = /^-[A-Za-z0-9_-]{22}$/;

export function occupantAddress(roomJid: string, occupantId: string): string {
  return `${roomJid}/${ADDRESS_PREFIX}${occupantId}`;
}
