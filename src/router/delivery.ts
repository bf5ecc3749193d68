// Delivery of stanzas to local accounts: RFC 6121 §8.5.2 (bare JID) and §8.5.3 (full JID).
import type { HookBus } from '../hooks/bus.ts';
import type { HookEvents, Routed } from '../hooks/events.ts';
import { StanzaError } from '../stanza/errors.ts';
import type { Router } from './router.ts';
import type { LocalSession } from './session.ts';

/** Available resources with the highest non-negative priority (RFC 6121 §8.5.2.1.1). */
export function highestPriority(sessions: LocalSession[]): LocalSession[] {
  const eligible = sessions.filter((s) => s.presence !== null && s.priority >= 0);
  if (eligible.length === 0) return [];
  const top = Math.max(...eligible.map((s) => s.priority));
  return eligible.filter((s) => s.priority === top);
}

export async function deliverToBare(router: Router, r: Routed, hooks: HookBus<HookEvents>): Promise<void> {
  const { stanza, to } = r;
  const type = stanza.attrs.type ?? 'normal';
  if (stanza.name === 'message') {
    if (type === 'error') return; // §8.5.2.1.1 / loop safety: errors to a bare JID are dropped
    if (type === 'groupchat') throw new StanzaError('service-unavailable');
    const all = router.sessions.resources(to);
    if (type === 'headline') {
      // §8.5.2.1.1: headline goes to every available resource with non-negative priority, else is dropped.
      for (const s of all) if (s.presence !== null && s.priority >= 0) router.deliver(s, r);
      return;
    }
    const targets = highestPriority(all);
    if (targets.length === 0) {
      if (!(await hooks.fire('message/offline', r))) throw new StanzaError('service-unavailable', 'The recipient is offline and offline storage is not available');
      return;
    }
    for (const s of targets) router.deliver(s, r);
  }
  // Presence to a bare JID is the roster module's ('presence/bare', RFC 6121 §3, §4.3, §8.5.2.1.2);
  // without it, it is dropped.
}

export async function deliverToFull(router: Router, r: Routed, hooks: HookBus<HookEvents>): Promise<void> {
  const { stanza, to } = r;
  const session = router.sessions.get(to);
  const type = stanza.attrs.type ?? (stanza.name === 'message' ? 'normal' : stanza.name === 'iq' ? 'get' : 'available');
  if (session) {
    router.deliver(session, r);
    return;
  }
  // §8.5.3.2: no resource matches.
  if (stanza.name === 'message') {
    if (type === 'normal' || type === 'chat') return deliverToBare(router, { ...r, to: to.bare() }, hooks);
    if (type === 'groupchat') throw new StanzaError('service-unavailable');
    return; // headline and error: silently ignored
  }
  if (stanza.name === 'iq') {
    if (type === 'get' || type === 'set') throw new StanzaError('service-unavailable');
    return;
  }
  // presence to an unknown full JID: subscription types are handled as if to the bare JID, others dropped.
  if (type === 'subscribe' || type === 'subscribed' || type === 'unsubscribe' || type === 'unsubscribed' || type === 'probe') {
    await hooks.fire('presence/bare', { ...r, to: to.bare() });
  }
}
