// Which resources of remote contacts are online, as far as presence received from them tells
// (RFC 6121 §4.4.3): available adds a full JID, unavailable removes it. Local accounts need no
// such table (the session table knows). Bounded: at most `maxContacts` bare JIDs and
// `maxResources` resources each, the earliest added going first. (Presence repeated by a known
// resource changes nothing here: a room's fan-out sends the same occupants' presence to every
// local occupant, and re-ordering two maps per stanza showed in profiles.)
import type { Jid } from '../../jid/index.ts';

export class RemoteOnline {
  private byBare = new Map<string, Map<string, Jid>>();

  constructor(
    private readonly maxContacts = 100_000,
    private readonly maxResources = 64,
  ) {}

  /** Presence without type or of type unavailable from a remote full JID. */
  observe(from: Jid, available: boolean): void {
    if (from.isBare) return;
    const key = from.bare().toString();
    const resources = this.byBare.get(key);
    if (!available) {
      if (!resources) return;
      resources.delete(from.resource);
      if (resources.size === 0) this.byBare.delete(key);
      return;
    }
    let m = resources;
    if (!m) {
      this.byBare.set(key, (m = new Map<string, Jid>()));
      if (this.byBare.size > this.maxContacts) this.byBare.delete(this.byBare.keys().next().value as string);
    }
    const known = m.has(from.resource);
    m.set(from.resource, from);
    if (!known && m.size > this.maxResources) m.delete(m.keys().next().value as string);
  }

  resources(bare: Jid): Jid[] {
    const m = this.byBare.get(bare.bare().toString());
    return m ? [...m.values()] : [];
  }

  /** The remote domain went away (s2s link lost): forget its resources. */
  forgetDomain(domain: string): void {
    for (const [k, m] of this.byBare) {
      const first = m.values().next().value as Jid | undefined;
      if (first?.domain === domain) this.byBare.delete(k);
    }
  }

  get size(): number {
    return this.byBare.size;
  }
}
