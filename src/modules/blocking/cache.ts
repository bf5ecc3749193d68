// Blocklists are consulted for nearly every routed stanza, so parsed lists are kept in memory:
// a bounded map in least-recently-used order, dropped for an account whenever its list changes.
import { tryParseJid, type Jid } from '../../jid/index.ts';
import type { BlocklistStore } from '../../storage/types.ts';

export class BlocklistCache {
  private readonly lists = new Map<string, Jid[]>();
  /** Bumped by every invalidate: a load that started before a change must not cache what it read. */
  private generation = 0;
  constructor(private readonly store: BlocklistStore, private readonly maxAccounts = 10_000) {}

  async get(username: string, domain: string): Promise<Jid[]> {
    const key = `${username}@${domain}`;
    const hit = this.lists.get(key);
    if (hit) {
      this.lists.delete(key);
      this.lists.set(key, hit);
      return hit;
    }
    const started = this.generation;
    const list = (await this.store.list(username, domain)).map((s) => tryParseJid(s)).filter((j): j is Jid => j !== null);
    if (started === this.generation) {
      this.lists.set(key, list);
      if (this.lists.size > this.maxAccounts) this.lists.delete(this.lists.keys().next().value!);
    }
    return list;
  }

  invalidate(username: string, domain: string): void {
    this.generation++;
    this.lists.delete(`${username}@${domain}`);
  }
}
