// The presence subscription state machine of RFC 6121 Appendix A, as pure functions: the nine
// states of A.1 (plus the pre-approval flag of §3.4), how the user's server changes state for
// outbound subscription stanzas (A.2) and inbound ones (A.3), and what it must then do.
import type { Subscription } from '../../core/services.ts';

export type SubscriptionType = 'subscribe' | 'subscribed' | 'unsubscribe' | 'unsubscribed';

export const SUBSCRIPTION_TYPES: readonly SubscriptionType[] = ['subscribe', 'subscribed', 'unsubscribe', 'unsubscribed'];

export function isSubscriptionType(t: string | undefined): t is SubscriptionType {
  return t === 'subscribe' || t === 'subscribed' || t === 'unsubscribe' || t === 'unsubscribed';
}

/** The state of one contact in one user's roster (A.1), seen from the user. */
export interface SubscriptionState {
  subscription: Subscription;
  /** The user asked for the contact's presence and awaits an answer ("Pending Out", ask='subscribe'). */
  pendingOut: boolean;
  /** The contact asked for the user's presence and awaits an answer ("Pending In"). */
  pendingIn: boolean;
  /** The user approved the contact's subscription before it was asked for (§3.4). */
  approved: boolean;
}

export const NO_STATE: SubscriptionState = { subscription: 'none', pendingOut: false, pendingIn: false, approved: false };

const hasTo = (s: Subscription) => s === 'to' || s === 'both';
const hasFrom = (s: Subscription) => s === 'from' || s === 'both';

function subscription(to: boolean, from: boolean): Subscription {
  return to ? (from ? 'both' : 'to') : from ? 'from' : 'none';
}

function make(to: boolean, from: boolean, pendingOut: boolean, pendingIn: boolean, approved: boolean): SubscriptionState {
  // A.1: "Pending Out" only without a subscription to the contact, "Pending In" only without one from it.
  return { subscription: subscription(to, from), pendingOut: pendingOut && !to, pendingIn: pendingIn && !from, approved: approved && !from && !pendingIn };
}

/** A.2: the user sent a subscription stanza to the contact. */
export function outbound(type: SubscriptionType, s: SubscriptionState, opts: { preApproval: boolean } = { preApproval: true }): SubscriptionState {
  const to = hasTo(s.subscription);
  const from = hasFrom(s.subscription);
  switch (type) {
    case 'subscribe': // A.2.1
      return make(to, from, s.pendingOut || !to, s.pendingIn, s.approved);
    case 'unsubscribe': // A.2.2
      return make(false, from, false, s.pendingIn, s.approved);
    case 'subscribed': // A.2.3; with nothing pending in, §3.4 pre-approval
      if (s.pendingIn) return make(to, true, s.pendingOut, false, false);
      return make(to, from, s.pendingOut, false, s.approved || (!from && opts.preApproval));
    case 'unsubscribed': // A.2.4; also cancels a pre-approval (§3.4)
      return make(to, false, s.pendingOut, false, false);
  }
}

/** A.3: a subscription stanza from the contact arrived for the user. */
export function inbound(type: SubscriptionType, s: SubscriptionState): SubscriptionState {
  const to = hasTo(s.subscription);
  const from = hasFrom(s.subscription);
  switch (type) {
    case 'subscribe': // A.3.1; a pre-approved request is approved at once (§3.4)
      if (from) return s;
      if (s.approved) return make(to, true, s.pendingOut, false, false);
      return make(to, from, s.pendingOut, true, s.approved);
    case 'unsubscribe': // A.3.2
      return make(to, false, s.pendingOut, false, s.approved);
    case 'subscribed': // A.3.3
      return s.pendingOut ? make(true, from, false, s.pendingIn, s.approved) : s;
    case 'unsubscribed': // A.3.4
      return make(false, from, false, s.pendingIn, s.approved);
  }
}

export function sameState(a: SubscriptionState, b: SubscriptionState): boolean {
  return a.subscription === b.subscription && a.pendingOut === b.pendingOut && a.pendingIn === b.pendingIn && a.approved === b.approved;
}

/** Whether the part a client sees in the roster item (subscription, ask, approved) changed: a roster push is due. */
export function visibleChange(a: SubscriptionState, b: SubscriptionState): boolean {
  return a.subscription !== b.subscription || a.pendingOut !== b.pendingOut || a.approved !== b.approved;
}

/** What the user's server does after an outbound subscription stanza (§3.1.2, §3.1.5, §3.2.1, §3.3.1, §3.4). */
export interface OutboundEffects {
  /** Route the stanza (stamped with the user's bare JID) to the contact. */
  route: boolean;
  /** Push the changed roster item to the user's interested resources. */
  push: boolean;
  /** Send the contact the presence of each of the user's available resources (approval), or unavailable from each (cancellation). */
  presence: 'available' | 'unavailable' | null;
}

export function outboundEffects(type: SubscriptionType, before: SubscriptionState, after: SubscriptionState): OutboundEffects {
  const push = visibleChange(before, after);
  const gainedFrom = !hasFrom(before.subscription) && hasFrom(after.subscription);
  const lostFrom = hasFrom(before.subscription) && !hasFrom(after.subscription);
  switch (type) {
    case 'subscribe':
    case 'unsubscribe':
      // §3.1.2 / §3.3.2: always routed, so a contact whose server lost track can resynchronise.
      return { route: true, push, presence: null };
    case 'subscribed':
      // §3.1.5 approval is routed with the user's presence; a pre-approval (§3.4) MUST NOT be routed.
      return { route: gainedFrom, push, presence: gainedFrom ? 'available' : null };
    case 'unsubscribed': {
      // §3.2.1; cancelling only a pre-approval stays local (§3.4).
      const onlyPreApproval = before.approved && !hasFrom(before.subscription) && !before.pendingIn;
      return { route: !onlyPreApproval, push, presence: lostFrom ? 'unavailable' : null };
    }
  }
}

/** What the user's server does after an inbound subscription stanza (§3.1.3, §3.1.6, §3.2.3, §3.3.3, §3.4). */
export interface InboundEffects {
  /** Deliver the stanza to the user's available resources (a subscribe is also kept until answered). */
  deliver: boolean;
  push: boolean;
  /** Answer the contact with presence of type subscribed on the user's behalf (already subscribed, or pre-approved). */
  autoReply: boolean;
  /** Send the contact the user's available presence, or unavailable from each available resource. */
  presence: 'available' | 'unavailable' | null;
}

export function inboundEffects(type: SubscriptionType, before: SubscriptionState, after: SubscriptionState): InboundEffects {
  const push = visibleChange(before, after);
  const changed = !sameState(before, after);
  if (type === 'subscribe') {
    const subscribed = hasFrom(after.subscription);
    // A.3.1: a new request is delivered; one from an already subscribed contact is answered for the user.
    return { deliver: after.pendingIn && !before.pendingIn, push, autoReply: subscribed, presence: subscribed ? 'available' : null };
  }
  const lostFrom = hasFrom(before.subscription) && !hasFrom(after.subscription);
  // A.3.2-A.3.4: delivered only when the state changed.
  return { deliver: changed, push, autoReply: false, presence: type === 'unsubscribe' && lostFrom ? 'unavailable' : null };
}

/** The A.1 name of a state, e.g. "None + Pending Out+In" (tests and logs). */
export function stateName(s: SubscriptionState): string {
  const base = { none: 'None', to: 'To', from: 'From', both: 'Both' }[s.subscription];
  const pending = s.pendingOut && s.pendingIn ? 'Pending Out+In' : s.pendingOut ? 'Pending Out' : s.pendingIn ? 'Pending In' : '';
  return `${base}${pending ? ` + ${pending}` : ''}${s.approved ? ' (pre-approved)' : ''}`;
}
