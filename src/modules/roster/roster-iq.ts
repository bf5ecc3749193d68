// jabber:iq:roster (RFC 6121 §2): roster get with versioning (§2.6, XEP-0237), roster set (§2.3,
// §2.4) and roster remove (§2.5). Only the account itself may read or change its roster.
import type { IqHandler, IqRequest } from '../../router/iq.ts';
import type { RosterEntry } from '../../storage/types.ts';
import { StanzaError } from '../../stanza/errors.ts';
import { xml } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';
import { itemElement, parseRosterSet, queryElement, type RosterLimits } from './item-xml.ts';
import type { Presence } from './presence.ts';
import { VERSIONING, type Rosters } from './rosters.ts';
import type { Router } from '../../router/router.ts';

export interface RosterIqDeps {
  rosters: Rosters;
  presence: Presence;
  router: Router;
  limits: RosterLimits & { maxItems: number };
  versioning: boolean;
}

function ownRoster(req: IqRequest): void {
  // §2.1.5 / §2.3.3: a roster belongs to its account; nobody else reads or changes it.
  if (!req.from.bare().equals(req.to.bare())) throw new StanzaError('forbidden', 'Only the account itself may use its roster');
}

export function rosterGet(d: RosterIqDeps): IqHandler {
  return async (req) => {
    ownRoster(req);
    const user = req.from.bare();
    const asked = d.versioning ? req.payload.attrs.ver : undefined;
    return d.rosters.exclusive(user, async () => {
      // §2.1.6: from now on this resource is "interested" and gets roster pushes.
      if (req.origin) {
        req.origin.interested = true;
        if (asked !== undefined) req.origin.features.set(VERSIONING, true);
      }
      const version = String(await d.rosters.version(user));
      // §2.6.3: the client's copy is current: an empty result, and pushes from now on.
      if (asked === version) return undefined;
      const items = await d.rosters.items(user);
      return queryElement(items.map(itemElement), asked !== undefined ? version : undefined);
    });
  };
}

export function rosterSet(d: RosterIqDeps): IqHandler {
  return async (req) => {
    ownRoster(req);
    const user = req.from.bare();
    const set = parseRosterSet(req.payload, d.limits);
    const jid = set.jid.toString();
    if (set.kind === 'update') {
      // §2.3.2 / §2.4.2: create or update name and groups; the subscription state stays the server's.
      await d.rosters.exclusive(user, async () => {
        const item = await d.rosters.item(user, jid);
        if (!item && (await d.rosters.count(user)) >= d.limits.maxItems) throw new StanzaError('policy-violation', `A roster holds at most ${d.limits.maxItems} items`, 'cancel');
        const next: RosterEntry = { ...(item ?? { jid, subscription: 'none', ask: false, approved: false }), groups: set.groups };
        if (set.name === undefined) delete next.name;
        else next.name = set.name;
        await d.rosters.save(user, jid, item, { item: next });
      });
      return undefined;
    }
    // §2.5.2: remove the item, then cancel the subscriptions both ways.
    const before = await d.rosters.exclusive(user, async () => {
      const { item, state } = await d.rosters.contact(user, jid);
      if (!item) throw new StanzaError('item-not-found', `${jid} is not in the roster`);
      await d.rosters.save(user, jid, item, { item: null, pendingIn: state.pendingIn ? null : undefined });
      return state;
    });
    const contact = set.jid.bare();
    const hasTo = before.subscription === 'to' || before.subscription === 'both';
    const hasFrom = before.subscription === 'from' || before.subscription === 'both';
    const presence = (type: string) => xml('presence', { xmlns: NS.client, type, from: user.toString(), to: contact.toString() });
    if (hasTo || before.pendingOut) await d.router.route(presence('unsubscribe'), req.origin);
    if (hasFrom || before.pendingIn) await d.router.route(presence('unsubscribed'), req.origin);
    // §3.2.1: the contact no longer receives the user's presence: tell it the user is gone.
    if (hasFrom) await d.presence.sendPresenceOf(user, contact, 'unavailable');
    return undefined;
  };
}
