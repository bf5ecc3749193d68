// XEP-0048 bookmarks in an imported file's private XML (<storage xmlns='storage:bookmarks'/>, as
// Prosody and ejabberd export them) become what Parley's pep module serves them from (XEP-0402
// §5.3): the legacy document as item 'current' of PEP node storage:bookmarks, and one
// urn:xmpp:bookmarks:1 item per room. Private XML storage answers that namespace from PEP.
import type { Storage } from '../storage/types.ts';
import type { Element } from '../xml/element.ts';
import { toNative, NS_BOOKMARKS, NS_LEGACY_BOOKMARKS, LEGACY_ITEM_ID } from '../modules/pep/bookmarks.ts';

// The node configurations the pep module gives these nodes (modules/pep/bookmarks.ts).
const LEGACY_CONFIG = { 'pubsub#access_model': 'whitelist', 'pubsub#persist_items': 'true' };
const NATIVE_CONFIG = { 'pubsub#access_model': 'whitelist', 'pubsub#max_items': 'max', 'pubsub#send_last_published_item': 'never', 'pubsub#persist_items': 'true' };
const MAX_ITEMS = 10_000;

export const isLegacyBookmarks = (doc: Element) => doc.is('storage', NS_LEGACY_BOOKMARKS);

export async function importBookmarks(storage: Storage, user: string, domain: string, doc: Element): Promise<void> {
  const publisher = `${user}@${domain}`;
  const now = Date.now();
  await storage.pep.createNode(user, domain, NS_LEGACY_BOOKMARKS, LEGACY_CONFIG);
  await storage.pep.publish(user, domain, NS_LEGACY_BOOKMARKS, { id: LEGACY_ITEM_ID, payload: doc.toString(), publisher, publishedAt: now }, 1);
  await storage.pep.createNode(user, domain, NS_BOOKMARKS, NATIVE_CONFIG);
  for (const c of doc.getChildren('conference')) {
    const n = toNative(c);
    if (n) await storage.pep.publish(user, domain, NS_BOOKMARKS, { id: n.id, payload: n.conference.toString(), publisher, publishedAt: now }, MAX_ITEMS);
  }
}
