// New MUC (proto-XEP urn:xmpp:muc:0) steps for @xmpp/client peers driven with raw stanzas, since no
// common client speaks it: a presence join to the bare room JID with <muc2/>, the bare-JID join via
// the user's own server, and readers for the New MUC parts of what the room sends.
import type { Element } from 'ltx';
import { received, type Client } from './xmppjs.ts';
import { esc, iqTo, joinFailure, joinWindow, MUC, MUC_USER, statusCodes } from './muc.ts';

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

/** New MUC presence join; resolves at the subject (the end of the join), throws with the condition on error. */
export async function muc2Join(c: Client, room: string, nick: string | null, o: Muc2JoinOptions = {}): Promise<Muc2Joined> {
  const { stanzas, end } = await joinWindow(c, room, muc2JoinXml(room, nick, o), `New MUC join of ${room}`, o.timeoutMs);
  const presences = stanzas.filter((el) => el.name === 'presence');
  return { stanzas, presences, self: presences.find((p) => statusCodes(p).includes('110')), subject: end };
}

export function muc2JoinError(c: Client, room: string, nick: string | null, o: Muc2JoinOptions = {}): Promise<string> {
  return joinFailure(muc2Join(c, room, nick, o), `New MUC join of ${room}`);
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

/** A matcher for stanzas that arrive after this point (earlier ones, claimed or not, do not count). */
export function fromNowOn(c: Client, pred: (el: Element) => boolean): (el: Element) => boolean {
  const old = new Set(received(c));
  return (el) => !old.has(el) && pred(el);
}
