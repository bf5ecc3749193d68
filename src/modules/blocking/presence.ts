// Presence when the blocklist changes (XEP-0191 §3.3, §3.4): on block the user's server sends
// unavailable presence to the JID, on unblock the user's current presence, in both cases "only if
// the JID is allowed to receive presence notifications from the user" (RFC 6121 §4): contacts with
// a subscription from/both, and JIDs the user sent directed presence to. Those come from the roster
// service; without it nobody is subscribed, so unblocking sends nothing, and blocking sends
// unavailable only to the JID itself (it says "offline", which reveals nothing).
import { tryParseJid, type Jid } from '../../jid/index.ts';
import type { ModuleContext } from '../types.ts';
import { xml, type Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';
import { matchesItem } from './match.ts';

/** Who, among the JIDs matching `item`, may currently receive the owner's presence. */
export async function presenceTargets(ctx: ModuleContext, owner: Jid, item: Jid, onUnblock: boolean): Promise<Jid[]> {
  const roster = ctx.services.get('roster');
  if (!roster) return !onUnblock && item.local !== '' ? [item] : [];
  const out = new Map<string, Jid>();
  for (const it of await roster.items(owner.local, owner.domain)) {
    if (it.subscription !== 'from' && it.subscription !== 'both') continue;
    const contact = tryParseJid(it.jid);
    if (contact && matchesItem(item, contact)) out.set(contact.toString(), contact);
  }
  for (const full of await roster.presenceRecipients(owner)) {
    if (matchesItem(item, full) && !out.has(full.bare().toString())) out.set(full.toString(), full);
  }
  return [...out.values()];
}

/** §3.3: unavailable presence from each available resource; marked exempt so the filter lets it out. */
export async function sendUnavailable(ctx: ModuleContext, owner: Jid, items: Jid[], exempt: WeakSet<Element>): Promise<void> {
  const resources = ctx.router.sessions.available(owner);
  if (resources.length === 0) return;
  for (const item of items) {
    for (const target of await presenceTargets(ctx, owner, item, false)) {
      for (const s of resources) {
        const p = xml('presence', { xmlns: NS.client, type: 'unavailable', from: s.jid.toString(), to: target.toString() });
        exempt.add(p);
        await ctx.router.route(p);
      }
    }
  }
}

/** §3.4: the current presence of each available resource. */
export async function sendCurrentPresence(ctx: ModuleContext, owner: Jid, items: Jid[]): Promise<void> {
  const resources = ctx.router.sessions.available(owner);
  if (resources.length === 0) return;
  for (const item of items) {
    for (const target of await presenceTargets(ctx, owner, item, true)) {
      for (const s of resources) {
        if (!s.presence) continue;
        const p = s.presence.clone();
        p.attrs.from = s.jid.toString();
        p.attrs.to = target.toString();
        await ctx.router.route(p);
      }
    }
  }
}
