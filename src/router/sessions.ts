// The table of bound local sessions: bare JID -> resource -> session. Iteration order is
// insertion order (Map), so "all resources" lists are stable. In cluster mode (src/cluster) the
// sessions bound on other nodes are consulted too by get/resources/available, as stand-ins whose
// send() forwards to their node; size and all() stay local (this process's connections).
import type { Jid } from '../jid/index.ts';
import type { LocalSession } from './session.ts';

/** Sessions bound on other nodes of a cluster, looked up after the local ones. */
export interface RemoteSessions {
  get(full: Jid): LocalSession | undefined;
  /** The account's sessions on other nodes (none is also in the local table). */
  resources(bare: Jid): LocalSession[];
}

export class SessionTable {
  private byBare = new Map<string, Map<string, LocalSession>>();
  private total = 0;
  private remote: RemoteSessions | null = null;

  /** Cluster mode: also consult the sessions of other nodes. Returns its removal. */
  setRemote(remote: RemoteSessions): () => void {
    this.remote = remote;
    return () => {
      if (this.remote === remote) this.remote = null;
    };
  }

  /** A session bound on this node only (never another node's stand-in). */
  getLocal(full: Jid): LocalSession | undefined {
    return this.byBare.get(full.bare().toString())?.get(full.resource);
  }

  get size(): number {
    return this.total;
  }

  get(full: Jid): LocalSession | undefined {
    return this.getLocal(full) ?? this.remote?.get(full);
  }

  /** All sessions of an account, in the order they bound (this node's first, then other nodes'). */
  resources(bare: Jid): LocalSession[] {
    const m = this.byBare.get(bare.bare().toString());
    const local = m ? [...m.values()] : [];
    if (!this.remote) return local;
    const remote = this.remote.resources(bare);
    if (remote.length === 0) return local;
    return local.length === 0 ? remote : [...local, ...remote.filter((s) => !m!.has(s.jid.resource))];
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
