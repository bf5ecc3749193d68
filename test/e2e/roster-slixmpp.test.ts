// Rosters and presence with slixmpp (a second, independent client implementation) on one side and
// @xmpp/client on the other (RFC 6121): the stream features, the subscription handshake driven by
// slixmpp's own roster logic, pushes to a second resource, pre-approval, probes at login,
// unavailable on disconnect, directed presence, roster versioning and an invalid roster set.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { skipUnless } from '../helpers/services.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { addUsers } from '../helpers/accounts.ts';
import { startSlixRoster, type SlixRosterOptions, type SlixRosterPeer } from '../helpers/slix-roster.ts';
import { becomeAvailable, connectXmppjs, disconnect, expectStanza, send, sync, type Client } from '../helpers/xmppjs.ts';
import { expectPush, getRoster, setRoster } from '../helpers/roster.ts';

describe('rosters and presence with slixmpp', { skip: skipUnless('slixmpp') }, () => {
  let server: RunningServer;
  let d: string;
  let clients: Client[] = [];
  let peers: SlixRosterPeer[] = [];
  let n = 0;

  const login = async (username: string, resource?: string): Promise<Client> => {
    const c = await connectXmppjs({ port: server.ports.c2s, domain: d, username, password: `${username}-secret`, resource, mechanism: 'PLAIN' });
    clients.push(c);
    return c;
  };
  const slix = async (username: string, o: Partial<SlixRosterOptions> = {}): Promise<SlixRosterPeer> => {
    const p = startSlixRoster({ port: server.ports.c2s, jid: `${username}@${d}`, password: `${username}-secret`, ...o });
    peers.push(p);
    await p.waitFor('ready', undefined, 20_000);
    return p;
  };
  const users = async (...prefixes: string[]): Promise<string[]> => {
    n++;
    const names = prefixes.map((p) => `${p}${n}`);
    await addUsers(server, names);
    return names;
  };
  const rosterState = async (p: SlixRosterPeer): Promise<Record<string, { subscription: string; pending_out: boolean; name: string; groups: string[] }>> => {
    p.command({ op: 'roster_state' });
    return (await p.waitFor('roster_state')).items as Record<string, { subscription: string; pending_out: boolean; name: string; groups: string[] }>;
  };
  /** Wait until slixmpp's view of one contact satisfies `ok` (pushes may still be on their way). */
  const untilState = async (p: SlixRosterPeer, jid: string, ok: (i: { subscription: string; pending_out: boolean } | undefined) => boolean) => {
    for (let i = 0; i < 20; i++) {
      const items = await rosterState(p);
      if (ok(items[jid])) return items[jid];
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`slixmpp's roster item ${jid} never reached the expected state\n${p.transcript()}`);
  };

  before(async () => {
    server = await startServer();
    d = server.domain;
  });
  afterEach(async () => {
    await Promise.all(peers.map((p) => p.quit()));
    await Promise.all(clients.map(disconnect));
    peers = [];
    clients = [];
  });
  after(async () => {
    await server?.stop();
  });

  test('slixmpp sees roster versioning and pre-approval offered, and a mutual handshake with @xmpp/client ends in "both"', async () => {
    const [a, b] = await users('alice', 'bob');
    const A = `${a}@${d}`;
    const B = `${b}@${d}`;
    // bob is slixmpp with its stock behaviour: approve requests and ask back (auto_authorize, auto_subscribe).
    const bob = await slix(b, { getRoster: true, presence: true, autoAuthorize: 'true', autoSubscribe: true });
    const started = await bob.waitFor('session_start');
    assert.ok((started.features as string[]).includes('rosterver'), bob.transcript());
    assert.ok((started.features as string[]).includes('preapproval'), bob.transcript());

    const alice = await login(a);
    await getRoster(alice);
    await becomeAvailable(alice, d);
    await send(alice, `<presence type="subscribe" to="${B}"/>`);
    await bob.expectStanza('presence', `<presence type="subscribe" from="${A}"/>`);
    // slixmpp approves and asks back; alice approves in turn.
    await expectStanza(alice, `<presence type="subscribed" from="${B}"/>`);
    await expectStanza(alice, `<presence type="subscribe" from="${B}"/>`);
    await send(alice, `<presence type="subscribed" to="${B}"/>`);
    await expectPush(alice, B, { subscription: 'both' });
    await bob.expectStanza('roster_push', `<iq type="set"><query xmlns="jabber:iq:roster"><item jid="${A}" subscription="both"/></query></iq>`);
    const item = await untilState(bob, A, (i) => i?.subscription === 'both');
    assert.equal(item!.pending_out, false);
    assert.deepEqual((await getRoster(alice)).items, [{ jid: B, subscription: 'both', groups: [] }]);

    // Presence now flows both ways.
    await send(alice, `<presence><status>hi bob</status></presence>`);
    await bob.expectStanza('presence', `<presence from="${alice.jid}"><status>hi bob</status></presence>`);
    bob.command({ op: 'presence', status: 'hi alice' });
    await expectStanza(alice, `<presence from="${String(started.jid)}"><status>hi alice</status></presence>`);
  });

  test('slixmpp asks, @xmpp/client approves; roster sets reach the other resource of the account', async () => {
    const [b, c] = await users('bob', 'carol');
    const B = `${b}@${d}`;
    const C = `${c}@${d}`;
    const bob = await slix(b, { getRoster: true, presence: true });
    const carol = await login(c);
    await getRoster(carol);
    await becomeAvailable(carol, d);

    bob.command({ op: 'subscribe', jid: C });
    await bob.expectStanza('roster_push', `<iq type="set"><query xmlns="jabber:iq:roster"><item jid="${C}" subscription="none" ask="subscribe"/></query></iq>`);
    await expectStanza(carol, `<presence type="subscribe" from="${B}"/>`);
    await send(carol, `<presence type="subscribed" to="${B}"/>`);
    await bob.expectStanza('presence', `<presence type="subscribed" from="${C}"/>`);
    await bob.expectStanza('presence', `<presence from="${carol.jid}"/>`);
    await untilState(bob, C, (i) => i?.subscription === 'to' && !i.pending_out);

    // A second resource of bob (@xmpp/client) renames carol: slixmpp gets the push; and back.
    const bob2 = await login(b, 'second');
    await getRoster(bob2);
    assert.equal((await setRoster(bob2, `<item jid="${C}" name="Carol"><group>Friends</group></item>`)).attrs.type, 'result');
    await bob.expectStanza('roster_push', `<iq type="set"><query xmlns="jabber:iq:roster"><item jid="${C}" name="Carol" subscription="to"><group>Friends</group></item></query></iq>`);
    const items = await rosterState(bob);
    assert.equal(items[C].name, 'Carol');
    assert.deepEqual(items[C].groups, ['Friends']);

    bob.command({ op: 'update_roster', jid: C, name: 'Caro', groups: ['Work'] });
    await bob.waitFor('iq_result', (e) => e.op === 'update_roster');
    const push = await expectPush(bob2, C, { name: 'Caro' });
    assert.deepEqual({ subscription: push.subscription, groups: push.groups }, { subscription: 'to', groups: ['Work'] });
  });

  test('pre-approval from slixmpp: the later request is approved by the server without asking slixmpp', async () => {
    const [a, b] = await users('alice', 'bob');
    const A = `${a}@${d}`;
    const B = `${b}@${d}`;
    const bob = await slix(b, { getRoster: true, presence: true });
    bob.command({ op: 'authorize', jid: A });
    await bob.expectStanza('roster_push', `<iq type="set"><query xmlns="jabber:iq:roster"><item jid="${A}" subscription="none" approved="true"/></query></iq>`);

    const alice = await login(a);
    await getRoster(alice);
    await becomeAvailable(alice, d);
    await send(alice, `<presence type="subscribe" to="${B}"/>`);
    await expectStanza(alice, `<presence type="subscribed" from="${B}"/>`);
    await expectPush(alice, B, { subscription: 'to' });
    await bob.expectStanza('roster_push', `<iq type="set"><query xmlns="jabber:iq:roster"><item jid="${A}" subscription="from"/></query></iq>`);
    await bob.expectNoStanza('presence', `<presence type="subscribe"/>`, 300);
    await untilState(bob, A, (i) => i?.subscription === 'from');
  });

  test('probes at login bring the contact\'s presence to slixmpp; its disconnect and its directed presence end with unavailable', async () => {
    const [a, b, e] = await users('alice', 'bob', 'erin');
    const A = `${a}@${d}`;
    const B = `${b}@${d}`;
    const alice = await login(a);
    await getRoster(alice);
    await send(alice, `<presence><show>chat</show><status>free to talk</status></presence>`);
    await sync(alice, d);
    const erin = await login(e);
    await becomeAvailable(erin, d);

    // Subscribe both ways with slixmpp's auto-approval, then log slixmpp out.
    const bob1 = await slix(b, { getRoster: true, presence: true, autoAuthorize: 'true' });
    bob1.command({ op: 'subscribe', jid: A });
    await expectStanza(alice, `<presence type="subscribe" from="${B}"/>`);
    await send(alice, `<presence type="subscribed" to="${B}"/>`);
    await send(alice, `<presence type="subscribe" to="${B}"/>`);
    await expectPush(alice, B, { subscription: 'both' });
    await bob1.quit();
    await expectStanza(alice, (el) => el.name === 'presence' && el.attrs.type === 'unavailable' && el.attrs.from?.startsWith(`${B}/`));

    // A new slixmpp login: its initial presence makes the server probe alice.
    const bob2 = await slix(b, { getRoster: true, presence: true });
    await bob2.expectStanza('presence', `<presence from="${alice.jid}"><show>chat</show><status>free to talk</status></presence>`);
    const bobJid = String((await bob2.waitFor('session_start')).jid);
    await expectStanza(alice, `<presence from="${bobJid}"/>`);

    // Directed presence to erin, who is no contact; then slixmpp goes away.
    bob2.command({ op: 'send', xml: `<presence to="${e}@${d}"><status>psst</status></presence>` });
    await expectStanza(erin, `<presence from="${bobJid}"><status>psst</status></presence>`);
    assert.equal(await bob2.quit(), 0, bob2.transcript());
    await expectStanza(alice, `<presence type="unavailable" from="${bobJid}"/>`);
    await expectStanza(erin, `<presence type="unavailable" from="${bobJid}"/>`);
  });

  test('roster versioning: a second slixmpp login with the current ver gets an empty result; an invalid roster set is refused and the session goes on', async () => {
    const [b] = await users('bob');
    const first = await slix(b, { getRoster: true });
    const r0 = await first.waitFor('roster');
    assert.match(String(r0.xml), /<query[^>]* ver="[^"]+"/, `the first result carries a version: ${String(r0.xml)}`);
    first.command({ op: 'update_roster', jid: `romeo@${d}`, name: 'Romeo' });
    await first.waitFor('iq_result', (e) => e.op === 'update_roster');
    await first.expectStanza('roster_push', `<iq type="set"><query xmlns="jabber:iq:roster" ver="{any}"><item jid="romeo@${d}" name="Romeo"/></query></iq>`);
    // The push brought slixmpp up to date: asking again with its version gets an empty result.
    first.command({ op: 'get_roster' });
    const r1 = await first.waitFor('roster');
    const ver = String(r1.ver);
    assert.ok(ver.length > 0 && ver !== r0.ver, first.transcript());
    assert.doesNotMatch(String(r1.xml), /<query/, `expected an empty result: ${String(r1.xml)}`);
    await first.quit();

    const second = await slix(b, { getRoster: true, rosterVer: ver });
    const r2 = await second.waitFor('roster');
    assert.doesNotMatch(String(r2.xml), /<query/, `expected an empty result: ${String(r2.xml)}`);

    // An invalid JID in a roster set (sent raw: slixmpp would not build it) gets jid-malformed...
    second.command({ op: 'send', xml: `<iq type="set" id="bad1"><query xmlns="jabber:iq:roster"><item jid="not@a@jid"/></query></iq>` });
    await second.expectStanza('iq', `<iq type="error" id="bad1"><error type="modify"><jid-malformed xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></iq>`);
    // ... and the session goes on: the roster is still there (an old version gets the whole roster).
    second.command({ op: 'send', xml: `<iq type="get" id="again"><query xmlns="jabber:iq:roster" ver=""/></iq>` });
    await second.expectStanza('iq', `<iq type="result" id="again"><query xmlns="jabber:iq:roster" ver="${ver}"><item jid="romeo@${d}" name="Romeo" subscription="none"/></query></iq>`);
  });
});
