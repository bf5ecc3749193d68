// RFC 6121 Appendix A as tables: each row is (existing state -> resulting state) exactly as the
// RFC lists it, for outbound (A.2) and inbound (A.3) subscription stanzas, plus what the server
// must do (route / deliver / auto-reply / presence) and pre-approval (§3.4).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  inbound,
  inboundEffects,
  outbound,
  outboundEffects,
  stateName,
  type SubscriptionState,
  type SubscriptionType,
} from '../../../src/modules/roster/subscription.ts';

/** A.1 state names, e.g. "To + Pending In"; "(pre-approved)" adds §3.4's flag. */
function state(name: string): SubscriptionState {
  const approved = name.endsWith(' (pre-approved)');
  const [base, pending = ''] = name.replace(' (pre-approved)', '').split(' + ');
  const subscription = ({ None: 'none', To: 'to', From: 'from', Both: 'both' } as const)[base as 'None'];
  assert.ok(subscription, `bad state name ${name}`);
  return { subscription, pendingOut: pending.includes('Out'), pendingIn: pending.includes('In'), approved };
}

const STATES = ['None', 'None + Pending Out', 'None + Pending In', 'None + Pending Out+In', 'To', 'To + Pending In', 'From', 'From + Pending Out', 'Both'];
const SAME = 'no state change';

// A.2.1 .. A.2.4: the user's server, for a stanza the user sent.
const OUTBOUND: Record<SubscriptionType, string[]> = {
  subscribe: ['None + Pending Out', SAME, 'None + Pending Out+In', SAME, SAME, SAME, 'From + Pending Out', SAME, SAME],
  unsubscribe: [SAME, 'None', SAME, 'None + Pending In', 'None', 'None + Pending In', SAME, 'From', 'From'],
  // Rows "None", "None + Pending Out" and "To" are the pre-approval of §3.4 (tested below).
  subscribed: ['None (pre-approved)', 'None + Pending Out (pre-approved)', 'From', 'From + Pending Out', 'To (pre-approved)', 'Both', SAME, SAME, SAME],
  unsubscribed: [SAME, SAME, 'None', 'None + Pending Out', SAME, 'To', 'None', 'None + Pending Out', 'To'],
};

// A.3.1 .. A.3.4: the user's server, for a stanza the contact sent to the user.
const INBOUND: Record<SubscriptionType, string[]> = {
  subscribe: ['None + Pending In', 'None + Pending Out+In', SAME, SAME, 'To + Pending In', SAME, SAME, SAME, SAME],
  unsubscribe: [SAME, SAME, 'None', 'None + Pending Out', SAME, 'To', 'None', 'None + Pending Out', 'To'],
  subscribed: [SAME, 'To', SAME, 'To + Pending In', SAME, SAME, SAME, 'Both', SAME],
  unsubscribed: [SAME, 'None', SAME, 'None + Pending In', 'None', 'None + Pending In', SAME, 'From', 'From'],
};

// "Deliver?" column of A.3 (yes = the stanza goes to the user's available resources).
const DELIVER: Record<SubscriptionType, boolean[]> = {
  subscribe: [true, true, false, false, true, false, false, false, false],
  unsubscribe: [false, false, true, true, false, true, true, true, true],
  subscribed: [false, true, false, true, false, false, false, true, false],
  unsubscribed: [false, true, false, true, true, true, false, true, true],
};

const TYPES: SubscriptionType[] = ['subscribe', 'subscribed', 'unsubscribe', 'unsubscribed'];

describe('RFC 6121 A.2: outbound subscription stanzas', () => {
  for (const type of TYPES) {
    STATES.forEach((from, i) => {
      const expected = OUTBOUND[type][i] === SAME ? from : OUTBOUND[type][i];
      test(`${type}: "${from}" -> "${expected}"`, () => {
        assert.equal(stateName(outbound(type, state(from))), expected);
      });
    });
  }
});

describe('RFC 6121 A.3: inbound subscription stanzas', () => {
  for (const type of TYPES) {
    STATES.forEach((from, i) => {
      const expected = INBOUND[type][i] === SAME ? from : INBOUND[type][i];
      const deliver = DELIVER[type][i];
      test(`${type}: "${from}" -> "${expected}", ${deliver ? 'delivered' : 'not delivered'}`, () => {
        const before = state(from);
        const after = inbound(type, before);
        assert.equal(stateName(after), expected);
        assert.equal(inboundEffects(type, before, after).deliver, deliver);
      });
    });
  }

  // A.3.1 rows marked "*": the contact is already subscribed, the server answers for the user.
  for (const from of ['From', 'From + Pending Out', 'Both']) {
    test(`subscribe in "${from}" is auto-replied with subscribed and the user's presence`, () => {
      const before = state(from);
      const fx = inboundEffects('subscribe', before, inbound('subscribe', before));
      assert.deepEqual({ autoReply: fx.autoReply, presence: fx.presence, deliver: fx.deliver }, { autoReply: true, presence: 'available', deliver: false });
    });
  }

  test('unsubscribe that ends the contact\'s subscription sends it unavailable presence', () => {
    for (const from of ['From', 'From + Pending Out', 'Both']) {
      const before = state(from);
      assert.equal(inboundEffects('unsubscribe', before, inbound('unsubscribe', before)).presence, 'unavailable', from);
    }
    const before = state('None + Pending In');
    assert.equal(inboundEffects('unsubscribe', before, inbound('unsubscribe', before)).presence, null);
  });
});

describe('RFC 6121 §3.4: pre-approval', () => {
  test('subscribed without a pending request pre-approves; with pre-approval disabled nothing changes', () => {
    for (const from of ['None', 'None + Pending Out', 'To']) {
      const before = state(from);
      const after = outbound('subscribed', before);
      assert.equal(after.approved, true, from);
      assert.deepEqual(outboundEffects('subscribed', before, after), { route: false, push: true, presence: null }, `${from}: a pre-approval is not routed`);
      assert.equal(stateName(outbound('subscribed', before, { preApproval: false })), from);
    }
  });

  test('a subscribe from a pre-approved contact is approved at once, not delivered', () => {
    const cases: Array<[string, string]> = [
      ['None (pre-approved)', 'From'],
      ['None + Pending Out (pre-approved)', 'From + Pending Out'],
      ['To (pre-approved)', 'Both'],
    ];
    for (const [from, to] of cases) {
      const before = state(from);
      const after = inbound('subscribe', before);
      assert.equal(stateName(after), to, from);
      assert.deepEqual(inboundEffects('subscribe', before, after), { deliver: false, push: true, autoReply: true, presence: 'available' }, from);
    }
  });

  test('unsubscribed cancels a pre-approval without being routed', () => {
    const before = state('To (pre-approved)');
    const after = outbound('unsubscribed', before);
    assert.equal(stateName(after), 'To');
    assert.deepEqual(outboundEffects('unsubscribed', before, after), { route: false, push: true, presence: null });
  });

  test('a repeated pre-approval changes nothing and pushes nothing', () => {
    const before = state('None (pre-approved)');
    const after = outbound('subscribed', before);
    assert.equal(stateName(after), 'None (pre-approved)');
    assert.equal(outboundEffects('subscribed', before, after).push, false);
  });
});

describe('RFC 6121 §3: what the user\'s server does for outbound stanzas', () => {
  test('subscribe and unsubscribe are always routed (§3.1.2, §3.3.2)', () => {
    for (const from of STATES) {
      for (const type of ['subscribe', 'unsubscribe'] as const) {
        const before = state(from);
        assert.equal(outboundEffects(type, before, outbound(type, before)).route, true, `${type} in ${from}`);
      }
    }
  });

  test('subscribed is routed, with the user\'s presence, only when it approves a pending request (§3.1.5)', () => {
    for (const from of STATES) {
      const before = state(from);
      const fx = outboundEffects('subscribed', before, outbound('subscribed', before));
      assert.equal(fx.route, before.pendingIn, from);
      assert.equal(fx.presence, before.pendingIn ? 'available' : null, from);
    }
  });

  test('unsubscribed that ends the contact\'s subscription is followed by unavailable presence (§3.2.1)', () => {
    for (const from of STATES) {
      const before = state(from);
      const fx = outboundEffects('unsubscribed', before, outbound('unsubscribed', before));
      const hadFrom = before.subscription === 'from' || before.subscription === 'both';
      assert.equal(fx.presence, hadFrom ? 'unavailable' : null, from);
      assert.equal(fx.route, true, from);
    }
  });

  test('a roster push follows every change the client can see, and nothing else', () => {
    // "None + Pending In" -> "None" after unsubscribed changes only the hidden pending request.
    const before = state('None + Pending In');
    assert.equal(outboundEffects('unsubscribed', before, outbound('unsubscribed', before)).push, false);
    const b2 = state('None');
    assert.equal(outboundEffects('subscribe', b2, outbound('subscribe', b2)).push, true);
  });
});
