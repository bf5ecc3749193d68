// PEP test support for @xmpp/client peers: advertise XEP-0115 caps (and answer the server's
// disco#info for them), make two accounts mutual contacts (RFC 6121 §3), send pubsub requests.
// The caps hash here is computed independently of the server's code (XEP-0115 §5.1, no forms).
import { createHash } from 'node:crypto';
import type { Element } from 'ltx';
import { xml } from '@xmpp/client';
import { expectStanza, nextId, send, sync, type Client } from './xmppjs.ts';
import { getRoster } from './roster.ts';

export const DISCO_INFO = 'http://jabber.org/protocol/disco#info';
export const PUBSUB = 'http://jabber.org/protocol/pubsub';
export const PUBSUB_OWNER = 'http://jabber.org/protocol/pubsub#owner';
export const PUBSUB_EVENT = 'http://jabber.org/protocol/pubsub#event';
export const PUBSUB_ERRORS = 'http://jabber.org/protocol/pubsub#errors';
export const CAPS_NODE = 'https://parley.test/caps';

interface Callee {
  get(ns: string, name: string, handler: (ctx: { stanza: Element; element: Element }) => unknown): void;
}

export interface Caps {
  /** The <c/> element to put in presence. */
  c: string;
  ver: string;
  /** disco#info requests the client answered, newest last. */
  queries: Element[];
}

/**
 * Answer disco#info for node#ver with one client/pc identity and `features`, and return the <c/>
 * for presence. With `lie`, the advertised ver is not the hash of what disco#info answers.
 */
export function advertiseCaps(c: Client, features: string[], opts: { lie?: boolean } = {}): Caps {
  const all = [...new Set([DISCO_INFO, 'http://jabber.org/protocol/caps', ...features])].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const s = `client/pc//Parley test<${all.map((f) => `${f}<`).join('')}`;
  const truthful = createHash('sha1').update(s, 'utf8').digest('base64');
  const ver = opts.lie ? createHash('sha1').update(`${s}lie`, 'utf8').digest('base64') : truthful;
  const queries: Element[] = [];
  const callee = (c as unknown as { iqCallee: Callee }).iqCallee;
  callee.get(DISCO_INFO, 'query', ({ stanza, element }) => {
    queries.push(stanza);
    // @xmpp/client only sends back elements made by its own xml() (an instanceof check).
    return xml('query', { xmlns: DISCO_INFO, node: element.attrs.node }, xml('identity', { category: 'client', type: 'pc', name: 'Parley test' }), ...all.map((f) => xml('feature', { var: f })));
  });
  return { c: `<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='${CAPS_NODE}' ver='${ver}'/>`, ver, queries };
}

/** Wait (bounded) until the server has asked this client about its caps. */
export async function expectCapsQuery(caps: Caps, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (caps.queries.length === 0) {
    if (Date.now() > deadline) throw new Error('the server never asked for disco#info behind the caps');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const bare = (c: Client) => String(c.jid!.bare());

/** RFC 6121 §3: a and b subscribe to each other (both available, both approve); waits for 'both' on each side. */
export async function befriend(a: Client, b: Client, domain: string): Promise<void> {
  for (const [from, to] of [[a, b], [b, a]] as const) {
    await send(from, `<presence to='${bare(to)}' type='subscribe'/>`);
    await expectStanza(to, `<presence type='subscribe' from='${bare(from)}'/>`);
    await send(to, `<presence to='${bare(from)}' type='subscribed'/>`);
  }
  for (const [c, other] of [[a, b], [b, a]] as const) {
    for (let i = 0; ; i++) {
      await sync(c, domain);
      const r = await getRoster(c);
      if (r.items.some((it) => it.jid === bare(other) && it.subscription === 'both')) break;
      if (i >= 50) throw new Error(`${bare(c)} never got subscription both with ${bare(other)}: ${JSON.stringify(r.items)}`);
      await new Promise((res) => setTimeout(res, 20));
    }
  }
}

/** Send an iq (pubsub by default) and resolve with its result or error. */
export async function iq(c: Client, type: 'get' | 'set', inner: string, to?: string): Promise<Element> {
  const id = nextId('pep');
  await send(c, `<iq type='${type}' id='${id}'${to ? ` to='${to}'` : ''}>${inner}</iq>`);
  return expectStanza(c, (el) => el.name === 'iq' && el.attrs.id === id && (el.attrs.type === 'result' || el.attrs.type === 'error'));
}

/** Publish one item; `options` are publish-options fields (XEP-0060 §7.1.5). */
export function publish(c: Client, node: string, itemXml: string, options: Record<string, string> = {}): Promise<Element> {
  const fields = Object.entries(options).map(([k, v]) => `<field var='${k}'><value>${v}</value></field>`).join('');
  const po = fields
    ? `<publish-options><x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'><value>${PUBSUB}#publish-options</value></field>${fields}</x></publish-options>`
    : '';
  return iq(c, 'set', `<pubsub xmlns='${PUBSUB}'><publish node='${node}'>${itemXml}</publish>${po}</pubsub>`);
}

export function items(c: Client, owner: string | undefined, node: string, inner = '', attrs = ''): Promise<Element> {
  return iq(c, 'get', `<pubsub xmlns='${PUBSUB}'><items node='${node}'${attrs}>${inner}</items></pubsub>`, owner);
}

/** [stanza error condition, pubsub#errors condition] of an error reply. */
export function pubsubErrorOf(reply: Element): [string | undefined, string | undefined] {
  const err = reply.getChild('error');
  const cond = err?.getChildElements().find((e) => e.getNS() === 'urn:ietf:params:xml:ns:xmpp-stanzas' && e.name !== 'text')?.name;
  const app = err?.getChildElements().find((e) => e.getNS() === PUBSUB_ERRORS)?.name;
  return [cond, app];
}

/** Item ids of an items result, in order. */
export function itemIds(reply: Element): string[] {
  return reply.getChild('pubsub', PUBSUB)?.getChild('items')?.getChildren('item').map((i) => i.attrs.id) ?? [];
}
