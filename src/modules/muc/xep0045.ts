// XEP-0045 wire vocabulary: namespaces and the builders for the muc#user extension that every
// presence from the room carries (§7.2.3 item with affiliation/role[/jid], status codes §15.6).
import { xml, type Element } from '../../xml/element.ts';
import type { Affiliation, Role } from './types.ts';

export const NS_MUC = 'http://jabber.org/protocol/muc';
export const NS_MUC_USER = 'http://jabber.org/protocol/muc#user';
export const NS_MUC_ADMIN = 'http://jabber.org/protocol/muc#admin';
export const NS_MUC_OWNER = 'http://jabber.org/protocol/muc#owner';
export const NS_MUC_REQUEST = 'http://jabber.org/protocol/muc#request';
export const NS_MUC_ROOMINFO = 'http://jabber.org/protocol/muc#roominfo';
export const NS_SELF_PING_OPT = 'http://jabber.org/protocol/muc#self-ping-optimization';
export const NS_STABLE_ID = 'http://jabber.org/protocol/muc#stable_id';

/** §15.6 status codes Parley sends. */
export const STATUS = {
  nonAnonymous: 100,
  configChanged: 104,
  self: 110,
  loggingOn: 170,
  loggingOff: 171,
  nowNonAnonymous: 172,
  nowSemiAnonymous: 173,
  created: 201,
  nickModified: 210,
  banned: 301,
  nickChanged: 303,
  kicked: 307,
  affiliationChanged: 321,
  membersOnly: 322,
  shutdown: 332,
  error: 333,
} as const;

export interface ItemInfo {
  affiliation: Affiliation;
  role: Role;
  /** Real full JID, only where the viewer may see it (§7.2.4, §7.2.5). */
  jid?: string;
  /** §7.6.3: the new nick in a 303 unavailable presence. */
  nick?: string;
  /** §8.2, §9.1: who did it (nick) and why. */
  actor?: string;
  reason?: string;
}

export function itemElement(i: ItemInfo): Element {
  const item = xml('item', { affiliation: i.affiliation, role: i.role, jid: i.jid, nick: i.nick });
  if (i.actor !== undefined) item.append(xml('actor', { nick: i.actor }));
  if (i.reason !== undefined) item.append(xml('reason', {}, i.reason));
  return item;
}

/** <x xmlns='muc#user'> with one item, then status codes (ascending, each once), then extra children. */
export function mucUserX(item: ItemInfo | null, codes: readonly number[] = [], extra: Element[] = []): Element {
  const x = xml('x', { xmlns: NS_MUC_USER });
  if (item) x.append(itemElement(item));
  for (const c of [...new Set(codes)].sort((a, b) => a - b)) x.append(xml('status', { code: String(c) }));
  for (const e of extra) x.append(e);
  return x;
}

/**
 * The part of a client's presence the room reflects (§17.3 rule 6-7): everything but muc and
 * muc#user extensions (only the service generates those) and any occupant-id (XEP-0421 §4).
 */
export function presencePayload(p: Element): Element {
  const out = p.clone();
  for (const a of ['to', 'from', 'id', 'type']) delete out.attrs[a];
  out.removeChildren((c) => c.is('x', NS_MUC) || c.is('x', NS_MUC_USER) || c.is('occupant-id', 'urn:xmpp:occupant-id:0'));
  return out;
}

/** A muc#user status message from the room (§10.2.1 configuration change). */
export function statusMessage(codes: number[]): Element {
  return xml('message', { type: 'groupchat' }, mucUserX(null, codes));
}
