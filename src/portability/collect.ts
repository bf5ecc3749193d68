// Export side: everything the stores hold for one account, as UserData (xep0227.ts turns it into XML).
import { parseElement } from '../xml/parse-element.ts';
import type { Element } from '../xml/element.ts';
import type { Storage } from '../storage/types.ts';
import type { ArchivedData, PepNodeData, UserData } from './xep0227.ts';

const ARCHIVE_PAGE = 500;

function parsed(text: string, what: string): Element {
  const el = parseElement(text);
  if (!el) throw new Error(`stored ${what} does not parse as XML`);
  return el;
}

export async function collectUser(storage: Storage, username: string, domain: string): Promise<UserData | null> {
  const account = await storage.accounts.get(username, domain);
  if (!account) return null;
  const vcard = await storage.vcard.get(username, domain);
  const privateXml: Element[] = [];
  for (const ns of await storage.kv.keys(username, domain, 'private')) {
    const doc = await storage.kv.get(username, domain, 'private', ns);
    // Stored as the whole <query xmlns='jabber:iq:private'/> of that namespace (modules/private).
    if (doc) privateXml.push(...parsed(doc, 'private XML').getChildElements());
  }
  const pep: PepNodeData[] = [];
  for (const n of await storage.pep.listNodes(username, domain)) {
    const items = await storage.pep.items(username, domain, n.node);
    pep.push({ node: n.node, config: n.config, items: items.map((i) => ({ id: i.id, payload: parsed(i.payload, 'PEP item'), publisher: i.publisher })) });
  }
  const archive: ArchivedData[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await storage.archive.query({ username, domain }, { limit: ARCHIVE_PAGE, pageAfter: after });
    for (const m of page.items) archive.push({ id: m.id, timestamp: m.timestamp, message: parsed(m.stanza, 'archived message') });
    if (page.complete || !page.items.length) break;
    after = page.items.at(-1)!.id;
  }
  return {
    username,
    domain,
    credentials: account.credentials,
    roster: await storage.roster.items(username, domain),
    pending: (await storage.roster.pending(username, domain)).map((p) => ({ jid: p.jid, stanza: parsed(p.stanza, 'subscription request') })),
    vcard: vcard ? parsed(vcard.vcard, 'vCard') : null,
    privateXml,
    offline: (await storage.offline.list(username, domain)).map((m) => parsed(m.stanza, 'offline message')),
    pep,
    archive,
    blocklist: await storage.blocklist.list(username, domain),
  };
}
