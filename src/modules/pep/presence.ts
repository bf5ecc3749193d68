// Presence sharing for PEP (XEP-0163 §4.1, §4.3.2): which available resources each local PEP
// service knows, and the last published items a resource gets when it becomes available or when
// its caps reveal new +notify interests.
//   - a local resource's broadcast presence: it is known to its own account's service and to the
//     service of every local contact it receives presence from (roster subscription to/both);
//   - a remote resource's presence to a local bare JID: known to that service if the contact is
//     subscribed to the owner (subscription from/both), as Prosody's mod_pep does.
import type { RosterService } from '../../core/services.ts';
import { jid as makeJid, tryParseJid, type Jid } from '../../jid/index.ts';
import type { LocalSession } from '../../router/session.ts';
import type { Element } from '../../xml/element.ts';
import type { Recipients } from './recipients.ts';
import { interests, type PepServiceImpl } from './service.ts';

export interface PresenceDeps {
  recipients: Recipients;
  service: PepServiceImpl;
  roster(): RosterService | undefined;
  features(jid: Jid): ReadonlySet<string> | undefined;
  isLocalDomain(domain: string): boolean;
}

export class PepPresence {
  constructor(private readonly d: PresenceDeps) {}

  private async register(owner: Jid, resource: Jid): Promise<void> {
    if (!this.d.recipients.add(owner.toString(), resource.toString())) return;
    // Caps already verified: send now; otherwise 'caps/resolved' will.
    const features = this.d.features(resource);
    if (features) await this.d.service.sendLastItems(owner, resource, interests(features));
  }

  /** A local client's presence without 'to' (RFC 6121 §4.2, §4.5). */
  async onBroadcast(session: LocalSession, stanza: Element): Promise<void> {
    const full = session.jid;
    const type = stanza.attrs.type;
    if (type === 'unavailable') return this.d.recipients.removeRecipient(full.toString());
    if (type !== undefined) return;
    const owners: Jid[] = [full.bare()];
    const roster = this.d.roster();
    if (roster) {
      for (const item of await roster.items(full.local, full.domain)) {
        if (item.subscription !== 'to' && item.subscription !== 'both') continue;
        const contact = tryParseJid(item.jid);
        if (contact && contact.local && !contact.resource && this.d.isLocalDomain(contact.domain)) owners.push(contact);
      }
    }
    // The resource may have gone while the roster was read.
    if (session.presence === null) return;
    for (const owner of owners) await this.register(owner, full);
  }

  /** Presence from a remote full JID to a local account's bare JID. */
  async onInbound(from: Jid, to: Jid, stanza: Element): Promise<void> {
    const owner = makeJid(to.local, to.domain);
    const type = stanza.attrs.type;
    if (type === 'unavailable' || type === 'error') return this.d.recipients.remove(owner.toString(), from.toString());
    if (type !== undefined) return;
    const subscribed = (await this.d.roster()?.isSubscribedTo(owner.local, owner.domain, from.bare())) ?? false;
    if (subscribed) await this.register(owner, from);
  }

  /** XEP-0163 §4.3.2 with caps that arrive (or change) after the presence: only the new interests. */
  async onCapsResolved(jid: Jid, features: ReadonlySet<string>, previous: ReadonlySet<string> | undefined): Promise<void> {
    const before = interests(previous);
    const fresh = new Set([...interests(features)].filter((n) => !before.has(n)));
    if (fresh.size === 0) return;
    for (const owner of this.d.recipients.ownersOf(jid.toString())) {
      const ownerJid = tryParseJid(owner);
      if (ownerJid) await this.d.service.sendLastItems(ownerJid, jid, fresh);
    }
  }
}
