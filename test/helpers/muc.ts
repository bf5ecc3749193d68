// XEP-0045 steps for @xmpp/client test peers, as transcripts: join (and wait for the self-presence
// and the subject that ends the join), create an instant room, configure, change affiliations and
// roles, and read lists; mucSuite() sets up a describe() of MUC tests. A new helper beside
// xmppjs.ts, which it builds on.
import type { Element } from 'ltx';
import { XmppSuite } from './suite.ts';
import { expectStanza, nextId, received, send, type Client } from './xmppjs.ts';

export const MUC = 'http://jabber.org/protocol/muc';
export const MUC_USER = 'http://jabber.org/protocol/muc#user';
export const MUC_ADMIN = 'http://jabber.org/protocol/muc#admin';
export const MUC_OWNER = 'http://jabber.org/protocol/muc#owner';
export const OCCUPANT_ID = 'urn:xmpp:occupant-id:0';
export const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';

export const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

export interface JoinOptions {
  password?: string;
  /** Attributes of <history/>, e.g. { maxstanzas: '2' }. */
  history?: Record<string, string>;
  /** Extra presence children (show, status...). */
  extra?: string;
  timeoutMs?: number;
}

export interface Joined {
  self: Element;
  /** Everything from the room received during the join, in order (presences, history, subject). */
  stanzas: Element[];
  occupants: Element[];
  history: Element[];
  subject: Element;
}

export function statusCodes(el: Element): string[] {
  return (el.getChild('x', MUC_USER)?.getChildren('status') ?? []).map((s) => s.attrs.code as string);
}

export function item(el: Element): Record<string, string> {
  return (el.getChild('x', MUC_USER)?.getChild('item')?.attrs ?? {}) as Record<string, string>;
}

export function occupantIdOf(el: Element): string | undefined {
  const ids = el.getChildren('occupant-id', OCCUPANT_ID);
  if (ids.length > 1) throw new Error(`more than one occupant-id in ${el.toString()}`);
  return ids[0]?.attrs.id as string | undefined;
}

export function errorCondition(el: Element): string | undefined {
  const err = el.getChild('error');
  const c = err?.children.find((ch): ch is Element => typeof ch !== 'string' && ch.attrs.xmlns === STANZAS && ch.name !== 'text');
  return c?.name;
}

function joinPresence(room: string, nick: string, o: JoinOptions): string {
  const hist = o.history ? `<history ${Object.entries(o.history).map(([k, v]) => `${k}="${esc(v)}"`).join(' ')}/>` : '';
  const pw = o.password !== undefined ? `<password>${esc(o.password)}</password>` : '';
  return `<presence to="${esc(room)}/${esc(nick)}"><x xmlns="${MUC}">${hist}${pw}</x>${o.extra ?? ''}</presence>`;
}

/**
 * Send a join presence and resolve with what the room sent up to the subject that ends the join
 * (§7.2.1), in order; throws with the error condition when the room answers with an error presence.
 */
export async function joinWindow(c: Client, room: string, presence: string, what: string, timeoutMs = 10_000): Promise<{ stanzas: Element[]; end: Element }> {
  const seen = new Set(received(c));
  await send(c, presence);
  const fromRoom = (el: Element) => typeof el.attrs.from === 'string' && (el.attrs.from === room || el.attrs.from.startsWith(`${room}/`));
  const end = await expectStanza(c, (el) => fromRoom(el) && ((el.name === 'presence' && el.attrs.type === 'error') || (el.name === 'message' && el.attrs.type === 'groupchat' && !!el.getChild('subject') && !el.getChild('body'))), timeoutMs);
  if (end.name === 'presence') throw Object.assign(new Error(`${what} failed: ${errorCondition(end)}`), { condition: errorCondition(end), stanza: end });
  const stanzas = received(c).filter((el) => !seen.has(el) && fromRoom(el));
  return { stanzas: stanzas.slice(0, stanzas.indexOf(end) + 1), end };
}

/** Join and wait for the subject (the end of the join, §7.2.1); throws with the error condition on failure. */
export async function join(c: Client, room: string, nick: string, o: JoinOptions = {}): Promise<Joined> {
  const { stanzas: window, end } = await joinWindow(c, room, joinPresence(room, nick, o), `join of ${room} as ${nick}`, o.timeoutMs);
  const self = window.find((el) => el.name === 'presence' && statusCodes(el).includes('110'));
  if (!self) throw new Error(`no self-presence during the join of ${room}:\n${window.map((s) => s.toString()).join('\n')}`);
  return {
    self,
    stanzas: window,
    occupants: window.filter((el) => el.name === 'presence' && el !== self && el.attrs.type !== 'unavailable'),
    history: window.filter((el) => el.name === 'message' && !!el.getChild('delay', 'urn:xmpp:delay') && el !== end),
    subject: end,
  };
}

/** The error condition of a join that must fail (`what` names it if it succeeds). */
export async function joinFailure(attempt: Promise<unknown>, what: string): Promise<string> {
  try {
    await attempt;
  } catch (e) {
    const cond = (e as { condition?: string }).condition;
    if (cond) return cond;
    throw e;
  }
  throw new Error(`${what} succeeded but was expected to fail`);
}

/** Join that must fail; returns the error condition. */
export function joinError(c: Client, room: string, nick: string, o: JoinOptions = {}): Promise<string> {
  return joinFailure(join(c, room, nick, o), `join of ${room} as ${nick}`);
}

/** An iq to `to`; resolves with the answer (result or error). */
export async function iqTo(c: Client, to: string, type: 'get' | 'set', payload: string, timeoutMs = 5000): Promise<Element> {
  const id = nextId('muc');
  await send(c, `<iq type="${type}" id="${id}" to="${esc(to)}">${payload}</iq>`);
  return expectStanza(c, (el) => el.name === 'iq' && el.attrs.id === id, timeoutMs);
}

export async function iqOk(c: Client, to: string, type: 'get' | 'set', payload: string): Promise<Element> {
  const r = await iqTo(c, to, type, payload);
  if (r.attrs.type !== 'result') throw new Error(`iq to ${to} failed: ${r.toString()}`);
  return r;
}

/** §10.1.2: create an instant room (join, then accept the default configuration). */
export async function createInstantRoom(c: Client, room: string, nick: string, o: JoinOptions = {}): Promise<Joined> {
  const j = await join(c, room, nick, o);
  await iqOk(c, room, 'set', `<query xmlns="${MUC_OWNER}"><x xmlns="jabber:x:data" type="submit"/></query>`);
  return j;
}

/** Submit configuration fields (var → value or values). */
export async function configure(c: Client, room: string, fields: Record<string, string | string[]>): Promise<Element> {
  const f = Object.entries(fields).map(([k, v]) => `<field var="${esc(k)}">${(Array.isArray(v) ? v : [v]).map((x) => `<value>${esc(x)}</value>`).join('')}</field>`).join('');
  return iqTo(c, room, 'set', `<query xmlns="${MUC_OWNER}"><x xmlns="jabber:x:data" type="submit"><field var="FORM_TYPE"><value>http://jabber.org/protocol/muc#roomconfig</value></field>${f}</x></query>`);
}

/** muc#admin items, written as attribute maps. */
export function adminItems(items: Array<Record<string, string>>): string {
  return `<query xmlns="${MUC_ADMIN}">${items.map((i) => `<item ${Object.entries(i).map(([k, v]) => `${k}="${esc(v)}"`).join(' ')}/>`).join('')}</query>`;
}

export async function adminSet(c: Client, room: string, items: Array<Record<string, string>>): Promise<Element> {
  return iqTo(c, room, 'set', adminItems(items));
}

/** An affiliation list: [{ jid, affiliation, nick? }] in the order the room gave. */
export async function affiliationList(c: Client, room: string, affiliation: string): Promise<Array<Record<string, string>>> {
  const r = await iqOk(c, room, 'get', adminItems([{ affiliation }]));
  return r.getChild('query', MUC_ADMIN)!.getChildren('item').map((i) => i.attrs as Record<string, string>);
}

/** XmppSuite for MUC tests: the service is conference.<domain>; newRoom() names a room not used before. */
export class MucSuite extends XmppSuite {
  #prefix: string;
  #roomSeq = 0;

  constructor(users: string[], roomPrefix: string) {
    super(users);
    this.#prefix = roomPrefix;
  }

  get service(): string {
    return `conference.${this.domain}`;
  }

  newRoom = (): string => `${this.#prefix}${++this.#roomSeq}@${this.service}`;
}

export const mucSuite = (users: string[], roomPrefix: string) => new MucSuite(users, roomPrefix);
