// Import side: write one account's UserData into the stores. Idempotent, so an interrupted import
// can run again: the account and its credentials are created or replaced, roster items, vCard,
// private XML, PEP items and blocklist entries are set (not appended), and offline and archived
// messages already present (same serialized stanza) are not stored twice.
import { deriveScramCredentials, type ScramHash } from '../sasl/index.ts';
import type { Storage } from '../storage/types.ts';
import { photoHash } from '../modules/vcard/photo.ts';
import { xml, type Element } from '../xml/element.ts';
import type { UserData } from './xep0227.ts';
import { importBookmarks, isLegacyBookmarks } from './bookmarks.ts';

export interface ApplyOptions {
  /** Hashes and iterations for accounts that come with a plaintext password. */
  hashes: ScramHash[];
  iterations: number;
  /** Leave accounts that exist already untouched (instead of replacing their data). */
  skipExisting: boolean;
}

export type ApplyResult = 'created' | 'updated' | 'skipped';

const NS_DELAY = 'urn:xmpp:delay';
/** Offline quota for imports: what was stored on the old server is kept. */
const NO_QUOTA = { maxMessages: Number.MAX_SAFE_INTEGER, maxBytes: Number.MAX_SAFE_INTEGER };
const PEP_MAX_ITEMS = 10_000;

/** Archived stanzas keep their original time as a XEP-0203 delay, and the store files them at it too. */
function withDelay(message: Element, timestamp: number): Element {
  if (!timestamp || message.getChild('delay', NS_DELAY)) return message;
  const copy = message.clone();
  copy.append(xml('delay', { xmlns: NS_DELAY, stamp: new Date(timestamp).toISOString(), from: undefined }));
  return copy;
}

export async function applyUser(storage: Storage, u: UserData, o: ApplyOptions): Promise<ApplyResult> {
  const { username: user, domain } = u;
  let credentials = u.credentials;
  if (!Object.keys(credentials).length) {
    if (!u.password) throw new Error(`${user}@${domain}: neither SCRAM credentials nor a password`);
    credentials = {};
    for (const h of o.hashes) credentials[h] = await deriveScramCredentials(u.password, h, o.iterations);
  }
  const existed = (await storage.accounts.get(user, domain)) !== null;
  if (existed && o.skipExisting) return 'skipped';
  if (existed) await storage.accounts.setCredentials(user, domain, credentials);
  else await storage.accounts.create({ username: user, domain, credentials, createdAt: Date.now() });

  for (const item of u.roster) await storage.roster.update(user, domain, item.jid, { item });
  for (const p of u.pending) await storage.roster.update(user, domain, p.jid, { pendingIn: p.stanza.toString() });
  if (u.vcard) await storage.vcard.set(user, domain, { vcard: u.vcard.toString(), photoHash: photoHash(u.vcard), updatedAt: Date.now() });
  for (const doc of u.privateXml) {
    const ns = doc.getNS();
    if (isLegacyBookmarks(doc)) await importBookmarks(storage, user, domain, doc);
    else if (ns) await storage.kv.set(user, domain, 'private', ns, xml('query', { xmlns: 'jabber:iq:private' }, doc).toString());
  }
  for (const n of u.pep) {
    if (!(await storage.pep.createNode(user, domain, n.node, n.config)) && Object.keys(n.config).length) await storage.pep.setConfig(user, domain, n.node, n.config);
    const max = Number(n.config['pubsub#max_items']);
    for (const it of n.items) {
      await storage.pep.publish(user, domain, n.node, { id: it.id, payload: it.payload.toString(), publisher: it.publisher ?? `${user}@${domain}`, publishedAt: Date.now() }, Number.isInteger(max) && max > 0 ? max : PEP_MAX_ITEMS);
    }
  }
  if (u.blocklist.length) await storage.blocklist.add(user, domain, u.blocklist);

  if (u.offline.length) {
    const present = new Set((await storage.offline.list(user, domain)).map((m) => m.stanza));
    for (const m of u.offline) {
      const text = m.toString();
      if (!present.has(text)) await storage.offline.append(user, domain, text, Date.now(), NO_QUOTA);
    }
  }
  if (u.archive.length) {
    const owner = { username: user, domain };
    const present = new Set<string>();
    let after: string | undefined;
    for (;;) {
      const page = await storage.archive.query(owner, { limit: 500, pageAfter: after });
      for (const m of page.items) present.add(m.stanza);
      if (page.complete || !page.items.length) break;
      after = page.items.at(-1)!.id;
    }
    const bare = `${user}@${domain}`;
    const entries = [];
    for (const a of u.archive) {
      const stanza = withDelay(a.message, a.timestamp);
      const text = stanza.toString();
      if (present.has(text)) continue;
      const from = a.message.attrs.from ?? '';
      const out = from === bare || from.startsWith(`${bare}/`);
      // The <delay stamp/> of the export: the message keeps its place in time (0: none given).
      const timestamp = a.timestamp > 0 ? a.timestamp : undefined;
      entries.push({ owner, with: (out ? a.message.attrs.to : from) ?? '', stanza: text, direction: out ? ('out' as const) : ('in' as const), timestamp });
    }
    for (let i = 0; i < entries.length; i += 500) await storage.archive.append(entries.slice(i, i + 500));
  }
  return existed ? 'updated' : 'created';
}
