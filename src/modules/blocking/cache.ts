// Blocklists are consulted for nearly every routed stanza, so parsed lists are kept in memory:
// a bounded, approximately least-recently-used cache, dropped for an account whenever its list changes.
// Each list is also indexed by domain: every XEP-0191 §6 rule needs the domains to be equal, so a
// check looks only at the items for the peer's domain, however long the list is.
import { LruCache } from '../../cache/lru.ts';
import { tryParseJid, type Jid } from '../../jid/index.ts';
import type { BlocklistStore } from '../../storage/types.ts';
import { isBlocked } from './match.ts';

interface Entry {
  items: Jid[];
  byDomain: Map<string, Jid[]>;
}

export class BlocklistCache {
  private readonly lists: LruCache<Entry>;
  /** Bumped by every invalidate: a load that started before a change must not cache what it read. */
  private generation = 0;
  constructor(private readonly store: BlocklistStore, maxAccounts = 10_000) {
    // Keys are bare JIDs: at most 1023 (localpart) + 1 + 1023 (domainpart) characters.
    this.lists = new LruCache<Entry>(maxAccounts, 2048);
  }

  /** The account's blocked JIDs in blocking order. */
  async get(username: string, domain: string): Promise<Jid[]> {
    return (await this.entry(username, domain)).items;
  }

  /** Whether the account blocked `peer` (XEP-0191 §6). */
  async blocks(username: string, domain: string, peer: Jid): Promise<boolean> {
    const candidates = (await this.entry(username, domain)).byDomain.get(peer.domain);
    return candidates !== undefined && isBlocked(candidates, peer);
  }

  invalidate(username: string, domain: string): void {
    this.generation++;
    this.lists.delete(`${username}@${domain}`);
  }

  private async entry(username: string, domain: string): Promise<Entry> {
    const key = `${username}@${domain}`;
    const hit = this.lists.get(key);
    if (hit) return hit;
    const started = this.generation;
    const items = (await this.store.list(username, domain)).map((s) => tryParseJid(s)).filter((j): j is Jid => j !== null);
    const byDomain = new Map<string, Jid[]>();
    for (const j of items) byDomain.set(j.domain, [...(byDomain.get(j.domain) ?? []), j]);
    const entry = { items, byDomain };
    if (started === this.generation) this.lists.set(key, entry);
    return entry;
  }
}
