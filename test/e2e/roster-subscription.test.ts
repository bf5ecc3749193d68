// Presence subscriptions between two local accounts with @xmpp/client (RFC 6121 §3): the mutual
// handshake with every roster push and stanza the RFC's examples show, pre-approval (§3.4),
// requests kept for an offline contact (§3.1.3), auto-replies, cancellation and unsubscription
// (§3.2, §3.3), roster remove (§2.5.2), and a request to an account that does not exist (§8.5.1).
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { addUsers } from '../helpers/accounts.ts';
import { becomeAvailable, connectXmppjs, disconnect, expectNoStanza, expectStanza, send, sync, type Client } from '../helpers/xmppjs.ts';
import { expectPush, getRoster, setRoster } from '../helpers/roster.ts';

describe('presence subscriptions (RFC 6121 §3)', () => {
  let server: RunningServer;
  let d: string;
  let open: Client[] = [];
  let n = 0;

  const login = async (username: string, resource?: string): Promise<Client> => {
    const c = await connectXmppjs({ port: server.ports.c2s, domain: d, username, password: `${username}-secret`, resource, mechanism: 'PLAIN' });
    open.push(c);
    return c;
  };
  /** A fresh pair of accounts per test, so tests do not share roster state. */
  const pair = async (): Promise<[string, string]> => {
    n++;
    const names: [string, string] = [`a${n}`, `b${n}`];
    await addUsers(server, names);
    return names;
  };
  /** Logged in, roster requested (interested), available. */
  const online = async (user: string, resource?: string): Promise<Client> => {
    const c = await login(user, resource);
    await getRoster(c);
    await becomeAvailable(c, d);
    return c;
  };

  before(async () => {
    server = await startServer();
    d = server.domain;
  });
  afterEach(async () => {
    await Promise.all(open.map(disconnect));
    open = [];
  });
  after(async () => {
    await server?.stop();
  });

  test('the mutual handshake ends with "both" on both sides, and presence then flows both ways', async () => {
    const [a, b] = await pair();
    const alice = await online(a);
    const bob = await online(b);
    const A = `${a}@${d}`;
    const B = `${b}@${d}`;

    // §3.1.1-§3.1.2: alice asks; her roster shows the pending request, bob gets it from her bare JID.
    await send(alice, `<presence type="subscribe" to="${B}" id="sub1"/>`);
    await expectPush(alice, B, { subscription: 'none', ask: 'subscribe' });
    await expectStanza(bob, `<presence type="subscribe" from="${A}" to="${B}" id="sub1"/>`);
    // A "None + Pending In" request is not a roster item (nothing pushed to bob yet).
    await expectNoStanza(bob, (el) => el.name === 'iq' && el.attrs.type === 'set', 200);

    // §3.1.5-§3.1.6: bob approves: his roster gets alice with "from", hers bob with "to", and she
    // receives bob's current presence.
    await send(bob, `<presence type="subscribed" to="${A}" id="ok1"/>`);
    await expectPush(bob, A, { subscription: 'from', ask: undefined });
    await expectPush(alice, B, { subscription: 'to', ask: undefined });
    await expectStanza(alice, `<presence type="subscribed" from="${B}" id="ok1"/>`);
    await expectStanza(alice, `<presence from="${bob.jid}" type="{absent}"/>`);

    // And the other way round.
    await send(bob, `<presence type="subscribe" to="${A}" id="sub2"/>`);
    await expectPush(bob, A, { subscription: 'from', ask: 'subscribe' });
    await expectStanza(alice, `<presence type="subscribe" from="${B}"/>`);
    await send(alice, `<presence type="subscribed" to="${B}"/>`);
    await expectPush(alice, B, { subscription: 'both' });
    await expectPush(bob, A, { subscription: 'both', ask: undefined });
    await expectStanza(bob, `<presence from="${alice.jid}" type="{absent}"/>`);

    assert.deepEqual((await getRoster(alice)).items, [{ jid: B, subscription: 'both', groups: [] }]);
    assert.deepEqual((await getRoster(bob)).items, [{ jid: A, subscription: 'both', groups: [] }]);

    // §4.4: a presence change now reaches the contact.
    await send(bob, `<presence><show>away</show><status>lunch</status></presence>`);
    await expectStanza(alice, `<presence from="${bob.jid}"><show>away</show><status>lunch</status></presence>`);
    await send(alice, `<presence><show>dnd</show></presence>`);
    await expectStanza(bob, `<presence from="${alice.jid}"><show>dnd</show></presence>`);
  });

  test('§3.4 pre-approval: the request is approved at once and never shown to the contact', async () => {
    const [a, b] = await pair();
    const A = `${a}@${d}`;
    const B = `${b}@${d}`;
    const bob = await online(b);
    // Bob approves alice before she asks: a roster item with approved="true", nothing sent to her.
    await send(bob, `<presence type="subscribed" to="${A}"/>`);
    await expectPush(bob, A, { subscription: 'none', approved: 'true' });

    const alice = await online(a);
    await expectNoStanza(alice, `<presence type="subscribed"/>`, 200);
    await send(alice, `<presence type="subscribe" to="${B}"/>`);
    await expectPush(alice, B, { subscription: 'none', ask: 'subscribe' });
    await expectStanza(alice, `<presence type="subscribed" from="${B}"/>`);
    await expectPush(alice, B, { subscription: 'to', ask: undefined });
    await expectStanza(alice, `<presence from="${bob.jid}" type="{absent}"/>`);
    await expectPush(bob, A, { subscription: 'from', approved: undefined });
    await expectNoStanza(bob, `<presence type="subscribe"/>`, 300);
  });

  test('§3.1.3: a request for an offline contact waits and is delivered on its next available presence, until answered', async () => {
    const [a, b] = await pair();
    const B = `${b}@${d}`;
    const A = `${a}@${d}`;
    const alice = await online(a);
    await send(alice, `<presence type="subscribe" to="${B}"><status>it's alice</status></presence>`);
    await expectPush(alice, B, { ask: 'subscribe' });
    await sync(alice, d);

    const bob1 = await login(b, 'first');
    await expectNoStanza(bob1, `<presence type="subscribe"/>`, 200); // not before presence
    await becomeAvailable(bob1, d);
    await expectStanza(bob1, `<presence type="subscribe" from="${A}"><status>it's alice</status></presence>`);
    await disconnect(bob1);

    // Still unanswered: delivered again at the next login.
    const bob2 = await login(b, 'second');
    await becomeAvailable(bob2, d);
    await expectStanza(bob2, `<presence type="subscribe" from="${A}"/>`);
    await send(bob2, `<presence type="unsubscribed" to="${A}"/>`);
    // §3.2: the denial reaches alice and ends her pending request.
    await expectStanza(alice, `<presence type="unsubscribed" from="${B}"/>`);
    await expectPush(alice, B, { subscription: 'none', ask: undefined });
    await disconnect(bob2);

    const bob3 = await login(b, 'third');
    await becomeAvailable(bob3, d);
    await expectNoStanza(bob3, `<presence type="subscribe"/>`, 300);
  });

  test('§3.1.3: a subscribe from an already subscribed contact is answered by the server', async () => {
    const [a, b] = await pair();
    const B = `${b}@${d}`;
    const A = `${a}@${d}`;
    const alice = await online(a);
    const bob = await online(b);
    await send(alice, `<presence type="subscribe" to="${B}"/>`);
    await expectStanza(bob, `<presence type="subscribe" from="${A}"/>`);
    await send(bob, `<presence type="subscribed" to="${A}"/>`);
    await expectStanza(alice, `<presence type="subscribed" from="${B}"/>`);
    await expectStanza(alice, `<presence from="${bob.jid}" type="{absent}"/>`);
    // Again: bob's server answers for him (subscribed, which changes nothing on alice's side, and
    // bob's presence), and bob is not asked a second time.
    await send(alice, `<presence type="subscribe" to="${B}" id="again"/>`);
    await expectStanza(alice, `<presence from="${bob.jid}" type="{absent}"/>`);
    await expectNoStanza(bob, `<presence type="subscribe" id="again"/>`, 300);
  });

  test('§3.3 unsubscribe and §3.2 cancellation end the subscription and send unavailable presence', async () => {
    const [a, b] = await pair();
    const B = `${b}@${d}`;
    const A = `${a}@${d}`;
    const alice = await online(a);
    const bob = await online(b);
    await send(alice, `<presence type="subscribe" to="${B}"/>`);
    await expectStanza(bob, `<presence type="subscribe" from="${A}"/>`);
    await send(bob, `<presence type="subscribed" to="${A}"/>`);
    await expectStanza(alice, `<presence from="${bob.jid}" type="{absent}"/>`);

    // §3.3: alice no longer wants bob's presence: both rosters say "none", alice learns bob is gone.
    await send(alice, `<presence type="unsubscribe" to="${B}"/>`);
    await expectPush(alice, B, { subscription: 'none' });
    await expectStanza(bob, `<presence type="unsubscribe" from="${A}"/>`);
    await expectPush(bob, A, { subscription: 'none' });
    await expectStanza(alice, `<presence type="unavailable" from="${bob.jid}"/>`);
    await send(bob, `<presence><status>not for alice</status></presence>`);
    await expectNoStanza(alice, `<presence><status>not for alice</status></presence>`, 300);

    // §3.2: bob lets alice subscribe again, then revokes it.
    await send(alice, `<presence type="subscribe" to="${B}"/>`);
    await expectStanza(bob, `<presence type="subscribe" from="${A}"/>`);
    await send(bob, `<presence type="subscribed" to="${A}"/>`);
    await expectStanza(alice, `<presence from="${bob.jid}"><status>not for alice</status></presence>`);
    await send(bob, `<presence type="unsubscribed" to="${A}"/>`);
    await expectStanza(alice, `<presence type="unsubscribed" from="${B}"/>`);
    await expectStanza(alice, `<presence type="unavailable" from="${bob.jid}"/>`);
    assert.deepEqual((await getRoster(alice)).items, [{ jid: B, subscription: 'none', groups: [] }]);
  });

  test('§2.5.2: removing a contact cancels the subscriptions both ways', async () => {
    const [a, b] = await pair();
    const B = `${b}@${d}`;
    const A = `${a}@${d}`;
    const alice = await online(a);
    const bob = await online(b);
    await send(alice, `<presence type="subscribe" to="${B}"/>`);
    await expectStanza(bob, `<presence type="subscribe" from="${A}"/>`);
    await send(bob, `<presence type="subscribed" to="${A}"/>`);
    await send(bob, `<presence type="subscribe" to="${A}"/>`);
    await expectStanza(alice, `<presence type="subscribe" from="${B}"/>`);
    await send(alice, `<presence type="subscribed" to="${B}"/>`);
    await expectStanza(bob, `<presence from="${alice.jid}" type="{absent}"/>`);
    await sync(bob, d);

    const res = await setRoster(alice, `<item jid="${B}" subscription="remove"/>`);
    assert.equal(res.attrs.type, 'result');
    await expectStanza(bob, `<presence type="unsubscribe" from="${A}"/>`);
    await expectStanza(bob, `<presence type="unsubscribed" from="${A}"/>`);
    await expectStanza(bob, `<presence type="unavailable" from="${alice.jid}"/>`);
    await sync(bob, d);
    assert.deepEqual((await getRoster(bob)).items, [{ jid: A, subscription: 'none', groups: [] }]);
    assert.deepEqual((await getRoster(alice)).items, []);
  });

  test('§8.5.1: a subscription request to an account that does not exist is answered with unsubscribed', async () => {
    const [a] = await pair();
    const alice = await online(a);
    await send(alice, `<presence type="subscribe" to="nobody-here@${d}"/>`);
    await expectStanza(alice, `<presence type="unsubscribed" from="nobody-here@${d}"/>`);
    await expectPush(alice, `nobody-here@${d}`, { subscription: 'none', ask: 'subscribe' });
    await expectPush(alice, `nobody-here@${d}`, { subscription: 'none', ask: undefined });
  });
});
