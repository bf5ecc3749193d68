// The RosterService (core/services.ts) other modules use: rosters, subscription checks, and who
// currently receives an account's presence (PEP notifications, blocking, ...).
import type { RosterItem, RosterService } from '../../core/services.ts';
import { jid as makeJid, tryParseJid, type Jid } from '../../jid/index.ts';
import type { Router } from '../../router/router.ts';
import type { LocalSession } from '../../router/session.ts';
import type { Element } from '../../xml/element.ts';
import { directedRecipients } from './directed.ts';
import type { RemoteOnline } from './remote-online.ts';
import type { Rosters } from './rosters.ts';

export interface RosterServiceDeps {
  rosters: Rosters;
  router: Router;
  remote: RemoteOnline;
  isLocalDomain(domain: string): boolean;
}

const hasFrom = (item: RosterItem | null) => item !== null && (item.subscription === 'from' || item.subscription === 'both');

export function rosterService(d: RosterServiceDeps): RosterService {
  /** Online full JIDs behind a JID: itself if full, else the available resources we know of. */
  const online = (j: Jid): Jid[] => {
    if (d.isLocalDomain(j.domain)) {
      if (!j.isBare) return d.router.sessions.get(j)?.presence ? [j] : [];
      return d.router.sessions.available(j).map((s) => s.jid);
    }
    // Remote: what their presence told us; a full JID that got directed presence counts as is.
    return j.isBare ? d.remote.resources(j) : [j];
  };

  return {
    items: (username, domain) => d.rosters.items(makeJid(username, domain)),
    item: (username, domain, contact) => d.rosters.item(makeJid(username, domain), contact.bare().toString()),
    async isSubscribedTo(username, domain, contact) {
      return hasFrom(await d.rosters.item(makeJid(username, domain), contact.bare().toString()));
    },
    async presenceRecipients(owner) {
      const bare = owner.bare();
      const sessions: LocalSession[] = owner.isBare ? d.router.sessions.resources(bare) : [d.router.sessions.get(owner)].filter((s): s is LocalSession => s !== undefined);
      const out = new Map<string, Jid>();
      const add = (j: Jid) => {
        if (!j.bare().equals(bare)) for (const full of online(j)) out.set(full.toString(), full);
      };
      // Broadcast presence reaches subscribed contacts while a resource is available (RFC 6121 §4.2.2).
      if (sessions.some((s) => s.presence !== null)) {
        for (const item of await d.rosters.items(bare)) {
          const contact = hasFrom(item) ? tryParseJid(item.jid) : null;
          if (contact) add(contact);
        }
      }
      // Directed presence (§4.6) reaches its recipients until unavailable is sent to them.
      for (const s of sessions) for (const j of directedRecipients(s)) add(j);
      return [...out.values()];
    },
    availablePresences(bare: Jid): Element[] {
      return d.router.sessions.available(bare.bare()).flatMap((s) => {
        if (!s.presence) return [];
        const p = s.presence.clone();
        p.attrs.from = s.jid.toString();
        delete p.attrs.to;
        return [p];
      });
    },
  };
}
