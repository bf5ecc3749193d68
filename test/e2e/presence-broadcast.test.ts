// Presence with @xmpp/client (RFC 6121 §4): probes on login, broadcast to subscribers only,
// unavailable on disconnect, the account's own resources (§4.2.2), presence to a bare JID
// (§8.5.2.1.2), directed presence and its end (§4.6), and presence errors.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { addUsers } from '../helpers/accounts.ts';
import { becomeAvailable, connectXmppjs, disconnect, expectNoStanza, expectStanza, send, sync, type Client } from '../helpers/xmppjs.ts';
import { errorCondition, getRoster } from '../helpers/roster.ts';

describe('presence (RFC 6121 §4)', () => {
  let server: RunningServer;
  let d: string;
  let open: Client[] = [];
  let n = 0;

  const login = async (username: string, resource?: string): Promise<Client> => {
    const c = await connectXmppjs({ port: server.ports.c2s, domain: d, username, password: `${username}-secret`, resource, mechanism: 'PLAIN' });
    open.push(c);
    return c;
  };
  const users = async (...prefixes: string[]): Promise<string[]> => {
    n++;
    const names = prefixes.map((p) => `${p}${n}`);
    await addUsers(server, names);
    return names;
  };
  /** Mutual subscription (§3) between two logged-in, available clients. */
  const befriend = async (x: Client, xName: string, y: Client, yName: string) => {
    await send(x, `<presence type="subscribe" to="${yName}@${d}"/>`);
    await expectStanza(y, `<presence type="subscribe" from="${xName}@${d}"/>`);
    await send(y, `<presence type="subscribed" to="${xName}@${d}"/>`);
    await send(y, `<presence type="subscribe" to="${xName}@${d}"/>`);
    await expectStanza(x, `<presence type="subscribe" from="${yName}@${d}"/>`);
    await send(x, `<presence type="subscribed" to="${yName}@${d}"/>`);
    await sync(x, d);
    await sync(y, d);
  };

  before(async () => {
    // A lost connection keeps its session for XEP-0198 resumption (@xmpp/client enables it); keep that short.
    server = await startServer({ config: { modules: { sm: { resume_timeout: 1 } } } });
    d = server.domain;
  });
  afterEach(async () => {
    await Promise.all(open.map(disconnect));
    open = [];
  });
  after(async () => {
    await server?.stop();
  });

  test('§4.3: at login the probes bring the contacts\' current presence; §4.5: disconnecting sends unavailable to them', async () => {
    const [a, b] = await users('alice', 'bob');
    const alice1 = await login(a);
    await becomeAvailable(alice1, d);
    const bob = await login(b, 'desk');
    await getRoster(bob);
    await becomeAvailable(bob, d);
    await befriend(alice1, a, bob, b);
    await disconnect(alice1);
    await expectStanza(bob, `<presence type="unavailable" from="${alice1.jid}"/>`);
    await send(bob, `<presence><show>xa</show><status>gone fishing</status></presence>`);
    await sync(bob, d);

    // A new login: the initial presence probes bob, whose server answers with his presence.
    const alice2 = await login(a, 'laptop');
    await getRoster(alice2);
    await expectNoStanza(alice2, `<presence from="${bob.jid}"/>`, 200);
    await send(alice2, `<presence><status>back</status></presence>`);
    await expectStanza(alice2, `<presence from="${bob.jid}" to="${alice2.jid}"><show>xa</show><status>gone fishing</status></presence>`);
    await expectStanza(bob, `<presence from="${alice2.jid}"><status>back</status></presence>`);

    await disconnect(alice2);
    await expectStanza(bob, `<presence type="unavailable" from="${alice2.jid}"/>`);
  });

  test('a lost connection also sends unavailable to the contacts (once XEP-0198 resumption time is over)', async () => {
    const [a, b] = await users('alice', 'bob');
    const alice = await login(a);
    await becomeAvailable(alice, d);
    const bob = await login(b);
    await becomeAvailable(bob, d);
    await befriend(alice, a, bob, b);
    const jid = String(alice.jid);
    (alice as unknown as { socket: { socket: { destroy(): void } } }).socket.socket.destroy();
    await expectStanza(bob, `<presence type="unavailable" from="${jid}"/>`);
  });

  test('broadcast presence reaches subscribers only (not a contact without a subscription from the user)', async () => {
    const [a, b, c] = await users('alice', 'bob', 'carol');
    const alice = await login(a);
    await becomeAvailable(alice, d);
    const bob = await login(b);
    await becomeAvailable(bob, d);
    const carol = await login(c);
    await becomeAvailable(carol, d);
    await befriend(alice, a, bob, b);
    // carol is in alice's roster without any subscription.
    await send(alice, `<iq type="set" id="add"><query xmlns="jabber:iq:roster"><item jid="${c}@${d}"/></query></iq>`);
    await expectStanza(alice, `<iq type="result" id="add"/>`);
    await send(alice, `<presence><status>only for subscribers</status></presence>`);
    await expectStanza(bob, `<presence from="${alice.jid}"><status>only for subscribers</status></presence>`);
    await expectNoStanza(carol, `<presence from="${alice.jid}"/>`, 300);
  });

  test('§4.2.2: initial presence goes to the account\'s other resources (and back to the sender); the new one gets theirs', async () => {
    const [a] = await users('alice');
    const phone = await login(a, 'phone');
    await send(phone, `<presence><status>on the phone</status></presence>`);
    await expectStanza(phone, `<presence from="${phone.jid}" to="${phone.jid}"><status>on the phone</status></presence>`);
    const idle = await login(a, 'idle'); // connected, never available
    const desk = await login(a, 'desk');
    await send(desk, `<presence><priority>-1</priority><status>at the desk</status></presence>`);
    await expectStanza(phone, `<presence from="${desk.jid}" to="${phone.jid}"><status>at the desk</status></presence>`);
    await expectStanza(desk, `<presence from="${phone.jid}" to="${desk.jid}"><status>on the phone</status></presence>`);
    await expectStanza(desk, `<presence from="${desk.jid}"><status>at the desk</status></presence>`);
    await expectNoStanza(idle, `<presence/>`, 300);
    // Unavailable goes to the other available resources.
    await send(desk, `<presence type="unavailable"/>`);
    await expectStanza(phone, `<presence type="unavailable" from="${desk.jid}"/>`);
  });

  test('§8.5.2.1.2: presence to the bare JID reaches every available resource, negative priority included', async () => {
    const [a, b] = await users('alice', 'bob');
    const alice = await login(a);
    const high = await login(b, 'high');
    const negative = await login(b, 'negative');
    const idle = await login(b, 'idle');
    await becomeAvailable(high, d, 5);
    await becomeAvailable(negative, d, -5);
    await send(alice, `<presence to="${b}@${d}"><status>hello bob</status></presence>`);
    await expectStanza(high, `<presence from="${alice.jid}" to="${b}@${d}"><status>hello bob</status></presence>`);
    await expectStanza(negative, `<presence from="${alice.jid}" to="${b}@${d}"><status>hello bob</status></presence>`);
    await expectNoStanza(idle, `<presence from="${alice.jid}"/>`, 300);
  });

  test('§4.6: directed presence to a non-contact; later broadcasts skip it; unavailable on disconnect reaches it', async () => {
    const [a, c, e] = await users('alice', 'carol', 'erin');
    const carol = await login(c);
    await becomeAvailable(carol, d);
    const erin = await login(e);
    await becomeAvailable(erin, d);
    const alice = await login(a);
    await becomeAvailable(alice, d);
    await send(alice, `<presence to="${carol.jid}"><status>just for carol</status></presence>`);
    await expectStanza(carol, `<presence from="${alice.jid}" to="${carol.jid}"><status>just for carol</status></presence>`);
    // A directed presence ended with directed unavailable is not ended again at disconnect.
    await send(alice, `<presence to="${e}@${d}"/>`);
    await expectStanza(erin, `<presence from="${alice.jid}"/>`);
    await send(alice, `<presence to="${e}@${d}" type="unavailable"/>`);
    await expectStanza(erin, `<presence from="${alice.jid}" type="unavailable"/>`);

    await send(alice, `<presence><status>broadcast</status></presence>`);
    await sync(alice, d);
    await expectNoStanza(carol, `<presence><status>broadcast</status></presence>`, 300);

    const jid = String(alice.jid);
    await disconnect(alice);
    await expectStanza(carol, `<presence type="unavailable" from="${jid}" to="${carol.jid}"/>`);
    await expectNoStanza(erin, `<presence type="unavailable" from="${jid}"/>`, 300);
  });

  test('§4.6: directed presence sent before any broadcast presence also ends at disconnect', async () => {
    const [a, c] = await users('alice', 'carol');
    const carol = await login(c);
    await becomeAvailable(carol, d);
    const alice = await login(a);
    await send(alice, `<presence to="${c}@${d}"/>`);
    await expectStanza(carol, `<presence from="${alice.jid}" type="{absent}"/>`);
    const jid = String(alice.jid);
    await disconnect(alice);
    await expectStanza(carol, `<presence type="unavailable" from="${jid}"/>`);
  });

  test('presence errors: an unknown type is bad-request, an unreachable domain remote-server-not-found', async () => {
    const [a] = await users('alice');
    const alice = await login(a);
    await becomeAvailable(alice, d);
    await send(alice, `<presence to="${a}@${d}" type="bogus" id="bogus"/>`);
    assert.equal(errorCondition(await expectStanza(alice, `<presence type="error" id="bogus"/>`)), 'bad-request');
    await send(alice, `<presence to="someone@unreachable.example" id="far"/>`);
    assert.equal(errorCondition(await expectStanza(alice, `<presence type="error" id="far" from="someone@unreachable.example"/>`)), 'remote-server-not-found');
    // A subscription request to a remote contact is routed from the bare JID: its error comes back there.
    await send(alice, `<presence to="someone@unreachable.example" type="subscribe" id="far-sub"/>`);
    assert.equal(errorCondition(await expectStanza(alice, `<presence type="error" id="far-sub" to="${a}@${d}"/>`)), 'remote-server-not-found');
    // The session goes on.
    await sync(alice, d);
  });
});
