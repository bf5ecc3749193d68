// XEP-0402 §5.3 bookmark compatibility: the PEP Native Bookmarks node (urn:xmpp:bookmarks:1, one
// item per room) kept in step with the XEP-0048 document (<storage xmlns='storage:bookmarks'/>) in
// the PEP node 'storage:bookmarks' (#compat-pep) and in private XML storage (#compat, XEP-0049),
// which is answered from PEP for that one namespace so there is a single copy.
//   - a client publishes or retracts on urn:xmpp:bookmarks:1 → the legacy document is rebuilt;
//   - a client stores a legacy document (PEP or private XML) → the room items are updated one by
//     one, unchanged ones untouched (§5.3.2 "SHOULD NOT send notifications for unchanged items").
// Mirrored writes are flagged `sync` so they do not bounce back.
import type { Jid } from '../../jid/index.ts';
import { tryParseJid } from '../../jid/index.ts';
import { xml, type Element } from '../../xml/element.ts';
import type { PepServiceImpl } from './service.ts';

export const NS_BOOKMARKS = 'urn:xmpp:bookmarks:1';
export const NS_LEGACY_BOOKMARKS = 'storage:bookmarks';
export const LEGACY_ITEM_ID = 'current';

/** XEP-0402 §3 / XEP-0223: private to the owner, every room kept, nothing pushed on presence. */
const BOOKMARKS_CONFIG = new Map([
  ['pubsub#access_model', ['whitelist']],
  ['pubsub#max_items', ['max']],
  ['pubsub#send_last_published_item', ['never']],
  ['pubsub#persist_items', ['true']],
]);
const LEGACY_CONFIG = new Map([
  ['pubsub#access_model', ['whitelist']],
  ['pubsub#persist_items', ['true']],
]);

const truthy = (v: string | undefined) => v === 'true' || v === '1';

/** A legacy <conference jid/> as a XEP-0402 item (id = room JID). */
export function toNative(legacy: Element, extensions?: Element): { id: string; conference: Element } | null {
  const room = tryParseJid(legacy.attrs.jid ?? '');
  if (!room) return null;
  const c = xml('conference', { xmlns: NS_BOOKMARKS, name: legacy.attrs.name, autojoin: truthy(legacy.attrs.autojoin) ? 'true' : undefined });
  const nick = legacy.getChildText('nick');
  const password = legacy.getChildText('password');
  if (nick) c.append(xml('nick', {}, nick));
  if (password) c.append(xml('password', {}, password));
  if (extensions) c.append(extensions.clone());
  return { id: room.toString(), conference: c };
}

/** A XEP-0402 item as a legacy <conference/> (XEP-0402 §5.3.1: jid from the item id). */
export function toLegacy(id: string, conference: Element): Element {
  const c = xml('conference', { jid: id, name: conference.attrs.name, autojoin: truthy(conference.attrs.autojoin) ? 'true' : 'false' });
  const nick = conference.getChildText('nick');
  const password = conference.getChildText('password');
  if (nick) c.append(xml('nick', {}, nick));
  if (password) c.append(xml('password', {}, password));
  return c;
}

/** Same bookmark as far as the legacy format can tell (name, autojoin, nick, password). */
function sameBookmark(a: Element, b: Element): boolean {
  return (a.attrs.name ?? '') === (b.attrs.name ?? '') && truthy(a.attrs.autojoin) === truthy(b.attrs.autojoin)
    && (a.getChildText('nick') ?? '') === (b.getChildText('nick') ?? '') && (a.getChildText('password') ?? '') === (b.getChildText('password') ?? '');
}

export class BookmarksCompat {
  constructor(private readonly service: PepServiceImpl, private readonly log: { warn(o: object, msg: string): void }) {}

  private async native(owner: Jid): Promise<Array<{ id: string; payload: Element }>> {
    if (!(await this.service.node(owner, NS_BOOKMARKS))) return [];
    return this.service.items(owner, NS_BOOKMARKS, owner);
  }

  private async legacy(owner: Jid): Promise<Element | undefined> {
    if (!(await this.service.node(owner, NS_LEGACY_BOOKMARKS))) return undefined;
    const [last] = await this.service.items(owner, NS_LEGACY_BOOKMARKS, owner, { last: 1 });
    return last?.payload.is('storage', NS_LEGACY_BOOKMARKS) ? last.payload : undefined;
  }

  /** The legacy document for private XML: the native rooms, plus <url/> bookmarks only the legacy format has. */
  async legacyDocument(owner: Jid): Promise<Element> {
    const storage = xml('storage', { xmlns: NS_LEGACY_BOOKMARKS });
    for (const i of await this.native(owner)) if (i.payload.is('conference', NS_BOOKMARKS)) storage.append(toLegacy(i.id, i.payload));
    for (const url of (await this.legacy(owner))?.getChildren('url') ?? []) storage.append(url.clone());
    return storage;
  }

  /** After a client changed urn:xmpp:bookmarks:1: rewrite the legacy PEP document. */
  async nativeChanged(owner: Jid): Promise<void> {
    const doc = await this.legacyDocument(owner);
    await this.service.publish(owner, { node: NS_LEGACY_BOOKMARKS, itemId: LEGACY_ITEM_ID, payload: doc, publisher: owner, createWith: LEGACY_CONFIG, sync: true });
  }

  /** After a client stored a legacy document: bring the native items in line, item by item. */
  async legacyChanged(owner: Jid, storage: Element): Promise<void> {
    if (!storage.is('storage', NS_LEGACY_BOOKMARKS)) return;
    const current = new Map((await this.native(owner)).map((i) => [i.id, i.payload]));
    const wanted = new Map<string, Element>();
    for (const c of storage.getChildren('conference')) {
      const prior = current.get(tryParseJid(c.attrs.jid ?? '')?.toString() ?? '');
      // Keep what only the native format holds (§3: clients MUST preserve <extensions/>).
      const n = toNative(c, prior?.getChild('extensions'));
      if (n) wanted.set(n.id, n.conference);
    }
    for (const [id, conference] of wanted) {
      const prior = current.get(id);
      if (prior && sameBookmark(prior, conference)) continue;
      await this.service.publish(owner, { node: NS_BOOKMARKS, itemId: id, payload: conference, publisher: owner, createWith: BOOKMARKS_CONFIG, sync: true });
    }
    for (const id of current.keys()) {
      if (!wanted.has(id)) await this.service.retract(owner, NS_BOOKMARKS, id, true, true);
    }
  }

  /** XEP-0049 set of a storage:bookmarks document: stored as the legacy PEP document, which mirrors into native items. */
  async storePrivate(owner: Jid, storage: Element): Promise<void> {
    await this.service.publish(owner, { node: NS_LEGACY_BOOKMARKS, itemId: LEGACY_ITEM_ID, payload: storage, publisher: owner, createWith: LEGACY_CONFIG });
  }

  /** Run a mirror step, logging instead of failing the client's request that triggered it. */
  async guard(what: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.log.warn({ err, what }, 'bookmarks compatibility step failed');
    }
  }
}
