// XEP-0227 (Portable Import/Export Format for XMPP-IM Servers, 1.1): one <user/> element per
// account, in <host jid='…'/> under <server-data xmlns='urn:xmpp:pie:0'/>. Pure conversions
// between that element and the account's data (UserData); storage access is elsewhere.
//   SCRAM keys     <scram-credentials xmlns='urn:xmpp:pie:0#scram' mechanism='SCRAM-SHA-1'>
//                    <iter-count/><salt/><server-key/><stored-key/> (base64), §2.2
//   roster         <query xmlns='jabber:iq:roster'/> and pending <presence type='subscribe'/>
//   vCard          <vCard xmlns='vcard-temp'/>
//   private XML    <query xmlns='jabber:iq:private'/>
//   offline        <offline-messages><message/>…</offline-messages>
//   PEP            <pubsub xmlns='…pubsub#owner'><configure node/></pubsub> and <pubsub xmlns='…pubsub'><items node/></pubsub>
//   archive        <archive xmlns='urn:xmpp:pie:0#mam'><result xmlns='urn:xmpp:mam:2' id><forwarded>…</forwarded></result></archive>
//   blocklist      <blocklist xmlns='urn:xmpp:blocking'/> (not in XEP-0227; Parley adds it, others ignore it)
// A plaintext `password` attribute on <user/> (older Prosody and ejabberd exports) is accepted on import.
import type { ScramCredentials, ScramHash } from '../sasl/index.ts';
import type { RosterEntry } from '../storage/types.ts';
import { Element, xml } from '../xml/element.ts';

export const NS_PIE = 'urn:xmpp:pie:0';
export const NS_PIE_SCRAM = 'urn:xmpp:pie:0#scram';
export const NS_PIE_MAM = 'urn:xmpp:pie:0#mam';
const NS_ROSTER = 'jabber:iq:roster';
const NS_VCARD = 'vcard-temp';
const NS_PRIVATE = 'jabber:iq:private';
const NS_PUBSUB = 'http://jabber.org/protocol/pubsub';
const NS_PUBSUB_OWNER = 'http://jabber.org/protocol/pubsub#owner';
const NS_DATA = 'jabber:x:data';
const NS_MAM = 'urn:xmpp:mam:2';
const NS_FORWARD = 'urn:xmpp:forward:0';
const NS_DELAY = 'urn:xmpp:delay';
const NS_BLOCKING = 'urn:xmpp:blocking';
const NS_CLIENT = 'jabber:client';

export interface PepNodeData {
  node: string;
  config: Record<string, string | string[]>;
  items: Array<{ id: string; payload: Element; publisher?: string }>;
}

export interface ArchivedData {
  id: string;
  /** ms since epoch */
  timestamp: number;
  message: Element;
}

export interface UserData {
  username: string;
  domain: string;
  /** Plaintext password (only from imports of files that carry one). */
  password?: string;
  credentials: Partial<Record<ScramHash, ScramCredentials>>;
  roster: RosterEntry[];
  pending: Array<{ jid: string; stanza: Element }>;
  vcard: Element | null;
  /** Children of <query xmlns='jabber:iq:private'/>, each a namespace's document. */
  privateXml: Element[];
  offline: Element[];
  pep: PepNodeData[];
  archive: ArchivedData[];
  blocklist: string[];
}

const MECHANISMS: Record<ScramHash, string> = { 'SHA-1': 'SCRAM-SHA-1', 'SHA-256': 'SCRAM-SHA-256', 'SHA-512': 'SCRAM-SHA-512' };

/** A copy that keeps its meaning outside the document: namespace made explicit, stanza namespace jabber:client. */
export function detached(el: Element, stanzaNs = false): Element {
  const copy = el.clone();
  copy.parent = null;
  const ns = el.getNS();
  const fixed = stanzaNs && (ns === undefined || ns === NS_PIE) ? NS_CLIENT : ns;
  if (fixed !== undefined && !el.name.includes(':')) copy.attrs.xmlns = fixed;
  // Prefixes declared by ancestors (<v:vCard/> under xmlns:v on <server-data/>) go along.
  for (let a = el.parent; a; a = a.parent) {
    for (const [k, v] of Object.entries(a.attrs)) if (k.startsWith('xmlns:') && !(k in copy.attrs)) copy.attrs[k] = v;
  }
  return copy;
}

// ---- Export: UserData → <user/> ----

export function userElement(u: UserData): Element {
  const user = xml('user', { name: u.username });
  for (const c of Object.values(u.credentials)) {
    if (!c) continue;
    user.append(xml('scram-credentials', { xmlns: NS_PIE_SCRAM, mechanism: MECHANISMS[c.hash] },
      xml('iter-count', {}, String(c.iterations)), xml('salt', {}, c.salt), xml('server-key', {}, c.serverKey), xml('stored-key', {}, c.storedKey)));
  }
  if (u.roster.length) {
    user.append(xml('query', { xmlns: NS_ROSTER }, u.roster.map((r) => xml('item', { jid: r.jid, name: r.name, subscription: r.subscription, ask: r.ask ? 'subscribe' : undefined, approved: r.approved ? 'true' : undefined }, r.groups.map((g) => xml('group', {}, g))))));
  }
  for (const p of u.pending) user.append(p.stanza);
  if (u.vcard) user.append(u.vcard);
  if (u.privateXml.length) user.append(xml('query', { xmlns: NS_PRIVATE }, u.privateXml));
  if (u.offline.length) user.append(xml('offline-messages', {}, u.offline));
  if (u.pep.length) {
    user.append(xml('pubsub', { xmlns: NS_PUBSUB_OWNER }, u.pep.map((n) => xml('configure', { node: n.node }, configForm(n.config)))));
    user.append(xml('pubsub', { xmlns: NS_PUBSUB }, u.pep.map((n) => xml('items', { node: n.node }, n.items.map((i) => xml('item', { id: i.id, publisher: i.publisher }, i.payload))))));
  }
  if (u.archive.length) {
    user.append(xml('archive', { xmlns: NS_PIE_MAM }, u.archive.map((a) =>
      xml('result', { xmlns: NS_MAM, id: a.id }, xml('forwarded', { xmlns: NS_FORWARD }, xml('delay', { xmlns: NS_DELAY, stamp: new Date(a.timestamp).toISOString() }), a.message)))));
  }
  if (u.blocklist.length) user.append(xml('blocklist', { xmlns: NS_BLOCKING }, u.blocklist.map((jid) => xml('item', { jid }))));
  return user;
}

function configForm(config: Record<string, string | string[]>): Element {
  return xml('x', { xmlns: NS_DATA, type: 'submit' },
    xml('field', { var: 'FORM_TYPE', type: 'hidden' }, xml('value', {}, 'http://jabber.org/protocol/pubsub#node_config')),
    Object.entries(config).map(([k, v]) => xml('field', { var: k }, (Array.isArray(v) ? v : [v]).map((x) => xml('value', {}, x)))));
}

// ---- Import: <user/> → UserData ----

const HASH_OF: Record<string, ScramHash> = { 'SCRAM-SHA-1': 'SHA-1', 'SCRAM-SHA-256': 'SHA-256', 'SCRAM-SHA-512': 'SHA-512' };

export class FormatError extends Error {}

export function parseUser(user: Element, domain: string): UserData {
  const username = user.attrs.name;
  if (!username) throw new FormatError(`a <user/> on ${domain} has no name`);
  const u: UserData = { username, domain, credentials: {}, roster: [], pending: [], vcard: null, privateXml: [], offline: [], pep: [], archive: [], blocklist: [] };
  if (user.attrs.password) u.password = user.attrs.password;
  const pepConfig = new Map<string, Record<string, string | string[]>>();
  const pepItems = new Map<string, PepNodeData['items']>();
  for (const c of user.getChildElements()) {
    const ns = c.getNS();
    if (c.is('scram-credentials', NS_PIE_SCRAM)) {
      const hash = HASH_OF[c.attrs.mechanism ?? ''];
      const iterations = Number(c.getChildText('iter-count', NS_PIE_SCRAM)?.trim());
      const salt = c.getChildText('salt', NS_PIE_SCRAM)?.trim();
      const serverKey = c.getChildText('server-key', NS_PIE_SCRAM)?.trim();
      const storedKey = c.getChildText('stored-key', NS_PIE_SCRAM)?.trim();
      if (!hash) continue; // a mechanism Parley does not know (e.g. SCRAM-SHA-384): skip it
      if (!Number.isInteger(iterations) || iterations < 1 || !salt || !serverKey || !storedKey) throw new FormatError(`${username}@${domain}: incomplete ${c.attrs.mechanism} credentials`);
      u.credentials[hash] = { hash, iterations, salt, serverKey, storedKey };
    } else if (c.is('query', NS_ROSTER)) {
      for (const it of c.getChildren('item', NS_ROSTER)) {
        if (!it.attrs.jid) continue;
        const sub = it.attrs.subscription;
        u.roster.push({
          jid: it.attrs.jid,
          name: it.attrs.name || undefined,
          subscription: sub === 'to' || sub === 'from' || sub === 'both' ? sub : 'none',
          ask: it.attrs.ask === 'subscribe',
          approved: it.attrs.approved === 'true' || it.attrs.approved === '1',
          groups: it.getChildren('group', NS_ROSTER).map((g) => g.getText()).filter(Boolean),
        });
      }
    } else if (c.localName === 'presence' && c.attrs.type === 'subscribe' && c.attrs.from) {
      u.pending.push({ jid: c.attrs.from, stanza: detached(c, true) });
    } else if (c.is('vCard', NS_VCARD)) {
      u.vcard = detached(c);
    } else if (c.is('query', NS_PRIVATE)) {
      u.privateXml.push(...c.getChildElements().map((e) => detached(e)));
    } else if (c.localName === 'offline-messages') {
      u.offline.push(...c.getChildElements().filter((m) => m.localName === 'message').map((m) => detached(m, true)));
    } else if (c.is('pubsub', NS_PUBSUB_OWNER)) {
      for (const conf of c.getChildren('configure', NS_PUBSUB_OWNER)) if (conf.attrs.node) pepConfig.set(conf.attrs.node, formValues(conf.getChild('x', NS_DATA)));
    } else if (c.is('pubsub', NS_PUBSUB)) {
      for (const items of c.getChildren('items', NS_PUBSUB)) {
        if (!items.attrs.node) continue;
        const list = pepItems.get(items.attrs.node) ?? [];
        for (const it of items.getChildren('item', NS_PUBSUB)) {
          const payload = it.getChildElements()[0];
          if (it.attrs.id && payload) list.push({ id: it.attrs.id, payload: detached(payload), publisher: it.attrs.publisher });
        }
        pepItems.set(items.attrs.node, list);
      }
    } else if (c.is('archive', NS_PIE_MAM)) {
      for (const r of c.getChildren('result', NS_MAM)) {
        const fwd = r.getChild('forwarded', NS_FORWARD);
        const msg = fwd?.getChildElements().find((m) => m.localName === 'message');
        if (!fwd || !msg) continue;
        const stamp = Date.parse(fwd.getChild('delay', NS_DELAY)?.attrs.stamp ?? '');
        u.archive.push({ id: r.attrs.id ?? '', timestamp: Number.isNaN(stamp) ? 0 : stamp, message: detached(msg, true) });
      }
    } else if (c.is('blocklist', NS_BLOCKING)) {
      u.blocklist.push(...c.getChildren('item', NS_BLOCKING).map((i) => i.attrs.jid).filter((j): j is string => !!j));
    } else if (ns !== NS_PIE) {
      // Unknown extension data is skipped, as XEP-0227 §3 allows.
    }
  }
  for (const node of new Set([...pepConfig.keys(), ...pepItems.keys()])) u.pep.push({ node, config: pepConfig.get(node) ?? {}, items: pepItems.get(node) ?? [] });
  return u;
}

function formValues(x: Element | undefined): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const f of x?.getChildren('field', NS_DATA) ?? []) {
    const k = f.attrs.var;
    if (!k || k === 'FORM_TYPE') continue;
    const values = f.getChildren('value', NS_DATA).map((v) => v.getText());
    out[k] = values.length === 1 ? values[0] : values;
  }
  return out;
}

export { Element };
