// This node's copy of the cluster's session registry: every session bound on another node, by
// node and by account. Kept current by the events channel (and a full read at start and after a
// node is suspected), so the router's lookups stay synchronous.
import { tryParseJid, type Jid } from '../jid/index.ts';
import type { LocalSession } from '../router/session.ts';
import type { RemoteSessions } from '../router/sessions.ts';
import type { SessionRecord } from './records.ts';
import { RemoteSession, type RemoteLink } from './remote-session.ts';

export class RemoteDirectory implements RemoteSessions {
  private readonly byNode = new Map<string, Map<string, RemoteSession>>();
  private readonly byBare = new Map<string, Map<string, RemoteSession>>();

  constructor(private readonly self: string, private readonly link: RemoteLink) {}

  get(full: Jid): LocalSession | undefined {
    return this.byBare.get(full.bare().toString())?.get(full.resource);
  }

  resources(bare: Jid): LocalSession[] {
    const m = this.byBare.get(bare.bare().toString());
    return m ? [...m.values()] : [];
  }

  /** A session appeared, changed (rec) or ended (null) on `node`. */
  apply(node: string, jid: string, rec: SessionRecord | null): void {
    if (node === this.self) return;
    const full = tryParseJid(jid);
    if (!full || !full.resource) return;
    const bareKey = full.bare().toString();
    const sessions = this.byNode.get(node);
    const existing = sessions?.get(jid);
    if (rec === null) {
      if (!existing) return;
      sessions!.delete(jid);
      const m = this.byBare.get(bareKey);
      if (m?.get(full.resource) === existing) {
        m.delete(full.resource);
        if (m.size === 0) this.byBare.delete(bareKey);
      }
      return;
    }
    if (existing) return existing.update(rec);
    const s = new RemoteSession(node, full, rec, this.link);
    let n = sessions;
    if (!n) this.byNode.set(node, (n = new Map()));
    n.set(jid, s);
    let m = this.byBare.get(bareKey);
    if (!m) this.byBare.set(bareKey, (m = new Map()));
    m.set(full.resource, s); // the newest bind of a full JID wins (RFC 6120 §7.7.2.2 conflict)
  }

  /** Replace what is known of a node with a full read of its sessions hash. */
  load(node: string, hash: Record<string, string>): void {
    const fresh = new Set(Object.keys(hash));
    for (const jid of [...(this.byNode.get(node)?.keys() ?? [])]) if (!fresh.has(jid)) this.apply(node, jid, null);
    for (const [jid, json] of Object.entries(hash)) {
      try {
        this.apply(node, jid, JSON.parse(json) as SessionRecord);
      } catch {
        /* a record that does not parse is skipped */
      }
    }
  }

  /** Forget a node's sessions (it died); returns them. */
  dropNode(node: string): RemoteSession[] {
    const gone = [...(this.byNode.get(node)?.values() ?? [])];
    for (const s of gone) this.apply(node, s.jid.toString(), null);
    this.byNode.delete(node);
    return gone;
  }

  nodes(): string[] {
    return [...this.byNode.keys()];
  }

  count(node: string): number {
    return this.byNode.get(node)?.size ?? 0;
  }
}
