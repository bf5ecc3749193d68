// New MUC (proto-XEP urn:xmpp:muc:0) steps for @xmpp/client peers driven with raw stanzas, since no
// common client speaks it: a presence join to the bare room JID with <muc2/>, the bare-JID join via
// the user's own server, and readers for the New MUC parts of what the room sends.
import type { Element } from 'ltx';
import { expectStanza, received, send, type Client } from './xmppjs.ts';
import { esc, iqTo, MUC, MUC_USER, statusCodes } from './muc.ts';

export const MUC2 = 'urn:xmpp:muc:0';
export const MUC2_PAM = 'urn:xmpp:muc:pam:0';
export const PSA = 'urn:xmpp:psa';
export const MAM = 'urn:xmpp:mam:2';

export interface Muc2JoinOptions {
  level?: string;
  visibility?: string;
  /** Raw XML put inside <muc2/> instead of the generated children. */
  raw?: string;
  history?: Record<string, string>;
  timeoutMs?: number;
}

export interface Muc2Joined {
  stanzas: Element[];
  presences: Element[];
  self?: Element;
  subject: Element;
}

export function muc2JoinXml(room: string, nick: string | null, o: Muc2JoinOptions = {}): string {
  const inner = o.raw ?? [
    nick !== null ? `<nickname>${esc(nick)}</nickname>` : '',
    o.level ? `<presence level="${esc(o.level)}"/>` : '',
    o.visibility ? `<visibility type="${esc(o.visibility)}"/>` : '',
  ].join('');
  const hist = o.history ? `<history ${Object.entries(o.history).map(([k, v]) => `${k}="${esc(v)}"`).join(' ')}/>` : '';
  return `<presence to="${esc(room)}"><x xmlns="${MUC}"><muc2 xmlns="${MUC2}">${inner}</muc2>${hist}</x></presence>`;
}

const fromRoom = (room: string) => (el: Element) => typeof el.attrs.from === 'string' && (el.attrs.from === room || el.attrs.from.startsWith(`${room}/`));

/** New MUC presence join; resolves at the subject (the end of the join), throws with the condition on error. */
export async function muc2Join(c: Client, room: string, nick: string | null, o: Muc2JoinOptions = {}): Promise<Muc2Joined> {
  const seen = new Set(received(c));
  await send(c, muc2JoinXml(room, nick, o));
  const mine = fromRoom(room);
  const end = await expectStanza(c, (el) => mine(el) && ((el.name === 'presence' && el.attrs.type === 'error') || (el.name === 'message' && el.attrs.type === 'groupchat' && !!el.getChild('subject') && !el.getChild('body'))), o.timeoutMs ?? 10_000);
  if (end.name === 'presence') {
    const cond = errorConditionOf(end);
    throw Object.assign(new Error(`New MUC join of ${room} failed: ${cond}`), { condition: cond, stanza: end });
  }
  const stanzas = received(c).filter((el) => !seen.has(el) && mine(el));
  const window = stanzas.slice(0, stanzas.indexOf(end) + 1);
  const presences = window.filter((el) => el.name === 'presence');
  return { stanzas: window, presences, self: presences.find((p) => statusCodes(p).includes('110')), subject: end };
}

export async function muc2JoinError(c: Client, room: string, nick: string | null, o: Muc2JoinOptions = {}): Promise<string> {
  try {
    await muc2Join(c, room, nick, o);
  } catch (e) {
    const cond = (e as { condition?: string }).condition;
    if (cond) return cond;
    throw e;
  }
  throw new Error(`New MUC join of ${room} succeeded but was expected to fail`);
}

export function errorConditionOf(el: Element): string | undefined {
  const err = el.getChild('error');
  const c = err?.children.find((ch): ch is Element => typeof ch !== 'string' && ch.attrs.xmlns === 'urn:ietf:params:xml:ns:xmpp-stanzas' && ch.name !== 'text');
  return c?.name;
}

/** The <nickname/> New MUC puts in a presence's muc#user <x/>. */
export function nicknameOf(p: Element): string | undefined {
  return p.getChild('x', MUC_USER)?.getChild('nickname', MUC2)?.getText();
}

/** Bare-JID join through the client's own server (PAM); resolves with the iq answer. */
export function pamJoin(c: Client, room: string, nick: string | null, extra = ''): Promise<Element> {
  const own = String(c.jid).split('/')[0];
  return iqTo(c, own, 'set', `<join xmlns="${MUC2}" room="${esc(room)}">${nick !== null ? `<nickname>${esc(nick)}</nickname>` : ''}${extra}</join>`, 10_000);
}

export function pamLeave(c: Client, room: string): Promise<Element> {
  const own = String(c.jid).split('/')[0];
  return iqTo(c, own, 'set', `<leave xmlns="${MUC2}" room="${esc(room)}"/>`, 10_000);
}
