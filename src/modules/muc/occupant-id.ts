// XEP-0421 occupant identifiers: stable per room and real bare JID, unique, and pseudonymous
// (§4.1: never a hash of the JID with static or guessable parameters). muc.md §1: the id is
// base64url(HMAC-SHA-256(room secret, real bare JID)) cut to 22 characters (132 bits); the secret is
// drawn when the room is created and stored with it, so ids survive restarts and differ per room.
import { createHmac, randomBytes } from 'node:crypto';
import { xml, type Element } from '../../xml/element.ts';

export const NS_OCCUPANT_ID = 'urn:xmpp:occupant-id:0';
export const OCCUPANT_ID_LENGTH = 22;

export function newRoomSecret(): Buffer {
  return randomBytes(32);
}

export function occupantId(secret: Buffer, bareJid: string): string {
  return createHmac('sha256', secret).update(bareJid).digest('base64url').slice(0, OCCUPANT_ID_LENGTH);
}

/** §4: exactly one <occupant-id/>: anything the sender put there is removed before ours is added. */
export function setOccupantId(stanza: Element, id: string): Element {
  stanza.removeChildren((c) => c.is('occupant-id', NS_OCCUPANT_ID));
  stanza.append(xml('occupant-id', { xmlns: NS_OCCUPANT_ID, id }));
  return stanza;
}
