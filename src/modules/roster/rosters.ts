// Users' rosters on top of the RosterStore: one writer per account at a time (KeyedLock), the
// subscription state of a contact (item + pending request), and roster pushes to the account's
// interested resources after every stored change (RFC 6121 §2.1.6, §2.3.2).
import { randomBytes } from 'node:crypto';
import type { HookBus } from '../../hooks/bus.ts';
import type { HookEvents } from '../../hooks/events.ts';
import type { Jid } from '../../jid/index.ts';
import type { SessionTable } from '../../router/sessions.ts';
import type { RosterEntry, RosterStore } from '../../storage/types.ts';
import { xml } from '../../xml/element.ts';
import { itemElement, queryElement } from './item-xml.ts';
import { KeyedLock } from './keyed-lock.ts';
import type { SubscriptionState } from './subscription.ts';

/** Per-session state: whether the resource asked for the roster with a 'ver' (XEP-0237 / RFC 6121 §2.6). */
export const VERSIONING = 'roster:versioning';

export interface Contact {
  item: RosterEntry | null;
  state: SubscriptionState;
}

export function stateOf(item: RosterEntry | null, pendingIn: boolean): SubscriptionState {
  return { subscription: item?.subscription ?? 'none', pendingOut: item?.ask ?? false, pendingIn, approved: item?.approved ?? false };
}

/** The item after a state change; a contact not yet in the roster gets a new item without name or groups. */
export function withState(item: RosterEntry | null, jid: string, s: SubscriptionState): RosterEntry {
  return { ...(item ?? { jid, groups: [] }), subscription: s.subscription, ask: s.pendingOut, approved: s.approved };
}

export class Rosters {
  readonly lock = new KeyedLock();

  constructor(
    private readonly store: RosterStore,
    private readonly sessions: SessionTable,
    private readonly hooks: HookBus<HookEvents>,
  ) {}

  /** Serialises changes to one account's roster. */
  exclusive<T>(user: Jid, fn: () => Promise<T>): Promise<T> {
    return this.lock.run(user.bare().toString(), fn);
  }

  items(user: Jid): Promise<RosterEntry[]> {
    return this.store.items(user.local, user.domain);
  }

  item(user: Jid, contact: string): Promise<RosterEntry | null> {
    return this.store.get(user.local, user.domain, contact);
  }

  count(user: Jid): Promise<number> {
    return this.store.count(user.local, user.domain);
  }

  version(user: Jid): Promise<number> {
    return this.store.version(user.local, user.domain);
  }

  pending(user: Jid) {
    return this.store.pending(user.local, user.domain);
  }

  async contact(user: Jid, contact: string): Promise<Contact> {
    const [item, pending] = await Promise.all([this.item(user, contact), this.store.pendingFrom(user.local, user.domain, contact)]);
    return { item, state: stateOf(item, pending !== null) };
  }

  /**
   * Store a change to one contact (item: undefined keeps it, null removes it; pendingIn likewise)
   * and, when the item changed, push it to the interested resources. Call inside exclusive().
   */
  async save(user: Jid, jid: string, previous: RosterEntry | null, change: { item?: RosterEntry | null; pendingIn?: string | null }): Promise<void> {
    const version = await this.store.update(user.local, user.domain, jid, change);
    if (change.item === undefined || (change.item === null && previous === null)) return;
    this.push(user, change.item ?? { jid, removed: true }, version);
    void this.hooks.fire('roster/changed', { username: user.local, domain: user.domain, jid, item: change.item, previous });
  }

  /** §2.1.6: a roster push goes to every interested resource, including the one that caused it. */
  push(user: Jid, item: RosterEntry | { jid: string; removed: true }, version: number): void {
    for (const s of this.sessions.resources(user)) {
      if (!s.interested) continue;
      const ver = s.features.get(VERSIONING) === true ? String(version) : undefined;
      s.send(xml('iq', { type: 'set', id: `push-${randomBytes(6).toString('hex')}`, to: s.jid.toString() }, queryElement([itemElement(item)], ver)));
    }
  }
}
