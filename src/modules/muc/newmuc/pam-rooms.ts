// MUC2-PAM bookkeeping on the user's server: which rooms each account has a bare-JID session in
// (persisted in the key-value store, cached per account), and which of its client sessions sent
// directed presence to which room (those get the room's copies directly, so PAM does not copy).
import type { KeyValueStore } from '../../../storage/types.ts';

const STORE = 'muc-pam';

export class JoinedRooms {
  private readonly cache = new Map<string, Set<string>>();

  constructor(private readonly kv: KeyValueStore) {}

  private async load(username: string, domain: string): Promise<Set<string>> {
    const key = `${username}@${domain}`;
    let set = this.cache.get(key);
    if (!set) {
      set = new Set(await this.kv.keys(username, domain, STORE));
      if (this.cache.size >= 100_000) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(key, set);
    }
    return set;
  }

  async has(username: string, domain: string, room: string): Promise<boolean> {
    return (await this.load(username, domain)).has(room);
  }

  async add(username: string, domain: string, room: string): Promise<void> {
    (await this.load(username, domain)).add(room);
    await this.kv.set(username, domain, STORE, room, '1');
  }

  async remove(username: string, domain: string, room: string): Promise<void> {
    (await this.load(username, domain)).delete(room);
    await this.kv.set(username, domain, STORE, room, null);
  }

  forgetAccount(username: string, domain: string): void {
    this.cache.delete(`${username}@${domain}`);
  }
}

/** Full JID of a client session → bare JIDs it sent available directed presence to (and was not refused or removed). */
export class DirectedPresence {
  private readonly bySession = new Map<string, Set<string>>();

  sent(session: string, target: string, available: boolean): void {
    let set = this.bySession.get(session);
    if (available) {
      if (!set) this.bySession.set(session, (set = new Set()));
      if (set.size < 10_000) set.add(target);
    } else set?.delete(target);
  }

  has(session: string, target: string): boolean {
    return this.bySession.get(session)?.has(target) ?? false;
  }

  closed(session: string): void {
    this.bySession.delete(session);
  }
}
