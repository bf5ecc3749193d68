// Presence subscriptions (RFC 6121 §3) on the wire: the user's server handling a subscription
// stanza its client sent (outbound, §3.x.1/2) and a subscription stanza arriving for a local account
// (inbound, §3.x.3), both through the pure state machine of subscription.ts.
import type { Routed } from '../../hooks/events.ts';
import type { Jid } from '../../jid/index.ts';
import type { Router } from '../../router/router.ts';
import type { LocalSession } from '../../router/session.ts';
import { StanzaError } from '../../stanza/errors.ts';
import { xml, type Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';
import { addressed, type Presence } from './presence.ts';
import { withState, type Rosters } from './rosters.ts';
import { inbound, inboundEffects, outbound, outboundEffects, visibleChange, type SubscriptionType } from './subscription.ts';

/** Largest subscription request kept as it is; a bigger one is kept without its payload. */
export const MAX_STORED_REQUEST = 4096;

function storable(request: Element): string {
  const text = request.toString();
  if (text.length <= MAX_STORED_REQUEST) return text;
  const { type, from, to, id } = request.attrs;
  return xml('presence', { xmlns: NS.client, type, from, to, id }).toString();
}

export interface SubscriptionDeps {
  rosters: Rosters;
  presence: Presence;
  router: Router;
  accountExists(username: string, domain: string): Promise<boolean>;
  maxItems: number;
  preApproval: boolean;
}

export class Subscriptions {
  constructor(private readonly d: SubscriptionDeps) {}

  /**
   * A subscription stanza from the user's client to `to` (already parsed). §3.1.2: the server stamps
   * it with the user's bare JID and addresses the contact's bare JID. Throws StanzaError when the
   * change cannot be stored (a full roster).
   */
  async outbound(stanza: Element, session: LocalSession, to: Jid): Promise<void> {
    const type = stanza.attrs.type as SubscriptionType;
    const user = session.jid.bare();
    const contact = to.bare();
    if (contact.equals(user)) return; // an account is implicitly subscribed to itself
    const jid = contact.toString();
    const effects = await this.d.rosters.exclusive(user, async () => {
      const { item, state: before } = await this.d.rosters.contact(user, jid);
      const after = outbound(type, before, { preApproval: this.d.preApproval });
      const change: { item?: typeof item; pendingIn?: null } = {};
      if (visibleChange(before, after)) {
        if (!item && (await this.d.rosters.count(user)) >= this.d.maxItems) throw new StanzaError('policy-violation', `A roster holds at most ${this.d.maxItems} items`, 'cancel');
        change.item = withState(item, jid, after);
      }
      if (before.pendingIn && !after.pendingIn) change.pendingIn = null;
      if (change.item !== undefined || change.pendingIn !== undefined) await this.d.rosters.save(user, jid, item, change);
      return outboundEffects(type, before, after);
    });
    if (effects.route) await this.d.router.route(addressed(stanza, user, contact), session);
    if (effects.presence) await this.d.presence.sendPresenceOf(user, contact, effects.presence);
  }

  /** A subscription stanza for the local account `r.to` from `r.from` (handled at the bare JIDs, §3.1.3). */
  async inbound(r: Routed): Promise<void> {
    const type = r.stanza.attrs.type as SubscriptionType;
    const user = r.to.bare();
    const contact = r.from.bare();
    if (contact.equals(user)) return;
    if (!(await this.d.accountExists(user.local, user.domain))) {
      // §8.5.1: a subscription request to no account is answered with unsubscribed; the rest is ignored.
      if (type === 'subscribe') await this.d.router.route(xml('presence', { xmlns: NS.client, type: 'unsubscribed', from: user.toString(), to: contact.toString() }));
      return;
    }
    const jid = contact.toString();
    const stanza = addressed(r.stanza, contact, user);
    const effects = await this.d.rosters.exclusive(user, async () => {
      const { item, state: before } = await this.d.rosters.contact(user, jid);
      const after = inbound(type, before);
      const change: { item?: typeof item; pendingIn?: string | null } = {};
      // Inbound stanzas never add a contact to the roster: a request waits beside it (§3.1.3).
      if (item && visibleChange(before, after)) change.item = withState(item, jid, after);
      if (after.pendingIn && !before.pendingIn) {
        // Requests wait in storage, so they are bounded: as many as a roster may hold, each small.
        if ((await this.d.rosters.pending(user)).length >= this.d.maxItems) return null;
        change.pendingIn = storable(stanza);
      } else if (before.pendingIn && !after.pendingIn) change.pendingIn = null;
      if (change.item !== undefined || change.pendingIn !== undefined) await this.d.rosters.save(user, jid, item, change);
      return inboundEffects(type, before, after);
    });
    if (!effects) return; // too many requests waiting: this one is dropped
    if (effects.deliver) for (const s of this.d.router.sessions.available(user)) this.d.router.deliver(s, { ...r, stanza });
    if (effects.autoReply) await this.d.router.route(xml('presence', { xmlns: NS.client, type: 'subscribed', from: user.toString(), to: contact.toString() }));
    if (effects.presence) await this.d.presence.sendPresenceOf(user, contact, effects.presence);
  }
}
