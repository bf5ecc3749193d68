// Roster requests (RFC 6121 §2) from an @xmpp/client test peer, read back as plain data so tests
// can compare whole rosters (order included).
import type { Element } from 'ltx';
import { expectStanza, nextId, send, type Client } from './xmppjs.ts';

export const ROSTER = 'jabber:iq:roster';

export interface WireItem {
  jid: string;
  name?: string;
  subscription?: string;
  ask?: string;
  approved?: string;
  groups: string[];
}

export function readItems(query: Element | undefined): WireItem[] {
  if (!query) return [];
  return query.getChildren('item').map((i) => {
    const out: WireItem = { jid: i.attrs.jid, groups: i.getChildren('group').map((g) => g.getText()) };
    for (const k of ['name', 'subscription', 'ask', 'approved'] as const) if (i.attrs[k] !== undefined) out[k] = i.attrs[k];
    return out;
  });
}

export interface RosterResult {
  iq: Element;
  /** False for the empty result of a current roster version (RFC 6121 §2.6.3). */
  hasQuery: boolean;
  ver?: string;
  items: WireItem[];
}

/** Roster get (with `ver` when given, '' included); resolves with the result. */
export async function getRoster(c: Client, ver?: string): Promise<RosterResult> {
  const id = nextId('roster');
  await send(c, `<iq type="get" id="${id}"><query xmlns="${ROSTER}"${ver !== undefined ? ` ver="${ver}"` : ''}/></iq>`);
  const iq = await expectStanza(c, `<iq type="result" id="${id}"/>`);
  const query = iq.getChild('query', ROSTER);
  return { iq, hasQuery: query !== undefined, ver: query?.attrs.ver, items: readItems(query) };
}

/** Roster set with the given <item/> XML; resolves with the result or error iq. */
export async function setRoster(c: Client, itemXml: string): Promise<Element> {
  const id = nextId('set');
  await send(c, `<iq type="set" id="${id}"><query xmlns="${ROSTER}">${itemXml}</query></iq>`);
  return expectStanza(c, (el) => el.name === 'iq' && el.attrs.id === id && (el.attrs.type === 'result' || el.attrs.type === 'error'));
}

/** The defined condition of an error stanza, or null. */
export function errorCondition(stanza: Element): string | null {
  const err = stanza.getChild('error');
  const cond = err?.getChildElements().find((e) => e.getNS() === 'urn:ietf:params:xml:ns:xmpp-stanzas' && e.name !== 'text');
  return cond?.name ?? null;
}

/**
 * Wait for the first unclaimed roster push (RFC 6121 §2.1.6) about `jid` whose item has the given
 * attribute values (undefined: attribute absent), and return its item.
 */
export async function expectPush(c: Client, jid: string, want: Partial<Record<'subscription' | 'ask' | 'approved' | 'name', string | undefined>> = {}, timeoutMs = 5000): Promise<WireItem & { ver?: string; iq: Element }> {
  const fits = (i: WireItem) => i.jid === jid && Object.entries(want).every(([k, v]) => i[k as keyof WireItem] === v);
  const iq = await expectStanza(c, (el) => el.name === 'iq' && el.attrs.type === 'set' && readItems(el.getChild('query', ROSTER)).some(fits), timeoutMs);
  const query = iq.getChild('query', ROSTER)!;
  return { ...readItems(query)[0], ver: query.attrs.ver, iq };
}
