// The table of bound local sessions: bare JID -> resource -> session. Iteration order is
// insertion order (Map), so "all resources" lists are stable.
import type { Jid } from '../jid/index.ts';
import type { LocalSession } from './session.ts';

export class SessionTable {
  private byBare = new Map<string, Map<string, LocalSession>>();
  private total = 0;

  get size(): number {
    return this.total;
  }

  get(full: Jid): LocalSession | undefined {
    return this.byBare.get(full.bare().toString())?.get(full.resource);
  }

  /** All sessions of an account, in the order they bound. */
  resources(bare: Jid): LocalSession[] {
    const m = this.byBare.get(bare.bare().toString());
    return m ? [...m.values()] : [];
  }

  /** Sessions that have sent available presence (RFC 6121 "available resources"). */
  available(bare: Jid): LocalSession[] {
    return this.resources(bare).filter((s) => s.presence !== null);
  }

  add(session: LocalSession): void {
    const key = session.jid.bare().toString();
    let m = this.byBare.get(key);
    if (!m) this.byBare.set(key, (m = new Map()));
    if (!m.has(session.jid.resource)) this.total++;
    m.set(session.jid.resource, session);
  }

  /** Removes the session only if it is still the one registered under its JID. */
  remove(session: LocalSession): boolean {
    const key = session.jid.bare().toString();
    const m = this.byBare.get(key);
    if (!m || m.get(session.jid.resource) !== session) return false;
    m.delete(session.jid.resource);
    this.total--;
    if (m.size === 0) this.byBare.delete(key);
    return true;
  }

  *all(): IterableIterator<LocalSession> {
    for (const m of this.byBare.values()) yield* m.values();
  }
}
