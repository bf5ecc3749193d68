// PEP across federation (two Parley processes, dialback): a remote contact's caps arrive in its
// presence to the owner's bare JID, the owner's server verifies them with disco#info over s2s
// (XEP-0115 §5.4), and then sends the last published item and live notifications to the remote
// resource (XEP-0163 §4.3); a remote stranger can read an open node and not a presence one.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, testCert, testKey, type RunningServer } from '../helpers/server.ts';
import { freePorts } from '../helpers/ports.ts';
import { addUsers } from '../helpers/accounts.ts';
import { closeAll, connectSide, mutualSubscription } from '../helpers/federation.ts';
import { expectNoStanza, expectStanza, send, type Client } from '../helpers/xmppjs.ts';
import { advertiseCaps, itemIds, items, publish, pubsubErrorOf, PUBSUB_EVENT } from '../helpers/pep.ts';

const TUNE = 'http://jabber.org/protocol/tune';
const d1 = 'one.parley.test';
const d2 = 'two.parley.test';
const tuneEvent = (id: string) => (el: import('ltx').Element) =>
  el.name === 'message' && el.getChild('event', PUBSUB_EVENT)?.getChild('items')?.attrs.node === TUNE && el.getChild('event', PUBSUB_EVENT)?.getChild('items')?.getChild('item')?.attrs.id === id;

describe('PEP over s2s (Parley to Parley)', () => {
  let s1: RunningServer;
  let s2: RunningServer;
  let alice: Client | undefined;
  let bob: Client | undefined;
  let carl: Client | undefined;

  before(async () => {
    const tls = { certificate: testCert, key: testKey };
    const [p1, p2] = await freePorts(2);
    [s1, s2] = await Promise.all([
      startServer({ domains: [d1], config: { tls, s2s: { port: p1, routes: { [d2]: `127.0.0.1:${p2}` } } } }),
      startServer({ domains: [d2], config: { tls, s2s: { port: p2, routes: { [d1]: `127.0.0.1:${p1}` } } } }),
    ]);
    await addUsers(s1, ['alice'], (u) => `pw-${u}`);
    await addUsers(s2, ['bob', 'carl'], (u) => `pw-${u}`);
    alice = await connectSide({ domain: d1, port: s1.ports.c2s, user: 'alice', password: 'pw-alice' });
    bob = await connectSide({ domain: d2, port: s2.ports.c2s, user: 'bob', password: 'pw-bob' });
    carl = await connectSide({ domain: d2, port: s2.ports.c2s, user: 'carl', password: 'pw-carl' });
  });

  after(async () => {
    await closeAll(alice, bob, carl);
    await s1?.stop();
    await s2?.stop();
  });

  test('a remote contact with +notify caps gets the last item, then live notifications', async () => {
    await mutualSubscription(alice!, `alice@${d1}`, bob!, `bob@${d2}`);
    assert.equal((await publish(alice!, TUNE, `<item id='one'><tune xmlns='${TUNE}'><title>One</title></tune></item>`)).attrs.type, 'result');
    const caps = advertiseCaps(bob!, [`${TUNE}+notify`]);
    await send(bob!, `<presence>${caps.c}</presence>`);
    const last = await expectStanza(bob!, tuneEvent('one'), 20_000);
    // alice's server asked bob's client across s2s before it trusted the caps (bob's own server
    // asks too, for its own use).
    assert.ok(caps.queries.some((q) => q.attrs.from === d1), caps.queries.map(String).join('\n'));
    assert.equal(last.attrs.from, `alice@${d1}`);
    await publish(alice!, TUNE, `<item id='two'><tune xmlns='${TUNE}'><title>Two</title></tune></item>`);
    await expectStanza(bob!, tuneEvent('two'), 20_000);
    // A subscribed remote contact may read the presence-access node.
    assert.deepEqual(itemIds(await items(bob!, `alice@${d1}`, TUNE)), ['two']);
  });

  test('a remote stranger reads an open node but not a presence node, and gets no notifications', async () => {
    const bundle = 'eu.siacs.conversations.axolotl.bundles:1';
    await publish(alice!, bundle, `<item id='current'><bundle xmlns='eu.siacs.conversations.axolotl'/></item>`, { 'pubsub#access_model': 'open' });
    assert.deepEqual(itemIds(await items(carl!, `alice@${d1}`, bundle)), ['current']);
    assert.deepEqual(pubsubErrorOf(await items(carl!, `alice@${d1}`, TUNE)), ['not-authorized', 'presence-subscription-required']);
    await expectNoStanza(carl!, (el) => el.name === 'message' && el.getChild('event', PUBSUB_EVENT) !== undefined, 200);
  });
});
