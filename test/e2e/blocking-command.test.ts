// XEP-0191 Blocking Command, end to end with @xmpp/client: the blocklist (§3.2), blocking (§3.3)
// with pushes to interested resources and unavailable presence to the blocked JID, what a blocked
// JID's stanzas get (§3.3), the <blocked/> error for the user's own stanzas, unblocking (§3.4)
// and unblock-all (§3.5), and JID matching (§6).
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { skipUnless } from '../helpers/services.ts';
import { startSlixOps } from '../helpers/slix-ops.ts';
import { becomeAvailable, connectXmppjs, disconnect, expectNoStanza, expectStanza, nextId, send, sync, type Client } from '../helpers/xmppjs.ts';

const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
const BLOCKING = 'urn:xmpp:blocking';

describe('XEP-0191 blocking command', () => {
  let server: RunningServer;
  let d: string;
  let open: Client[] = [];
  const login = async (username: string, resource?: string): Promise<Client> => {
    const c = await connectXmppjs({ port: server.ports.c2s, domain: d, username, password: `${username}-secret`, resource, mechanism: 'PLAIN' });
    open.push(c);
    return c;
  };
  /** An iq set/get without 'to' (handled by the user's server) that must succeed; returns the result. */
  const iq = async (c: Client, type: 'get' | 'set', payload: string) => {
    const id = nextId('blk');
    await send(c, `<iq type="${type}" id="${id}">${payload}</iq>`);
    return expectStanza(c, (el) => el.name === 'iq' && el.attrs.id === id && (el.attrs.type === 'result' || el.attrs.type === 'error')).then((r) => {
      assert.equal(r.attrs.type, 'result', `expected a result, got ${r.toString()}`);
      return r;
    });
  };
  const block = (c: Client, ...jids: string[]) => iq(c, 'set', `<block xmlns="${BLOCKING}">${jids.map((j) => `<item jid="${j}"/>`).join('')}</block>`);
  const unblock = (c: Client, ...jids: string[]) => iq(c, 'set', `<unblock xmlns="${BLOCKING}">${jids.map((j) => `<item jid="${j}"/>`).join('')}</unblock>`);
  const blocklist = async (c: Client) => (await iq(c, 'get', `<blocklist xmlns="${BLOCKING}"/>`)).getChild('blocklist', BLOCKING)!.getChildren('item').map((i) => i.attrs.jid);

  before(async () => {
    server = await startServer();
    d = server.domain;
    for (const u of ['alice', 'bob', 'carol']) await server.adduser(u, `${u}-secret`);
  });
  afterEach(async () => {
    await Promise.all(open.map(disconnect));
    open = [];
    // Leave every test with empty blocklists.
    for (const u of ['alice', 'bob']) {
      const c = await login(u, 'cleanup');
      await unblock(c);
      await disconnect(c);
    }
    open = [];
  });
  after(async () => {
    await server?.stop();
  });

  test('urn:xmpp:blocking is advertised on the account and the server (§3.1)', async () => {
    const bob = await login('bob');
    for (const to of [`bob@${d}`, d]) {
      await send(bob, `<iq type="get" to="${to}" id="disco-${to}"><query xmlns="http://jabber.org/protocol/disco#info"/></iq>`);
      await expectStanza(bob, `<iq type="result" id="disco-${to}"><query xmlns="http://jabber.org/protocol/disco#info"><feature var="${BLOCKING}"/></query></iq>`);
    }
  });

  test('a blocked JID\'s message is not delivered and bounces with <service-unavailable/>; unblocking restores delivery', async () => {
    const alice = await login('alice');
    const bob = await login('bob');
    await becomeAvailable(bob, d);
    await block(bob, `alice@${d}`);

    await send(alice, `<message to="bob@${d}" type="chat" id="while-blocked"><body>can you hear me?</body></message>`);
    await expectStanza(alice, `<message type="error" id="while-blocked" from="bob@${d}"><error type="cancel"><service-unavailable xmlns="${STANZAS}"/></error></message>`);
    // To a full JID as well, and an iq get: both <service-unavailable/>.
    await send(alice, `<message to="${bob.jid}" type="chat" id="full-blocked"><body>and now?</body></message>`);
    await expectStanza(alice, `<message type="error" id="full-blocked"><error><service-unavailable xmlns="${STANZAS}"/></error></message>`);
    await send(alice, `<iq to="${bob.jid}" type="get" id="iq-blocked"><ping xmlns="urn:xmpp:ping"/></iq>`);
    await expectStanza(alice, `<iq type="error" id="iq-blocked"><error type="cancel"><service-unavailable xmlns="${STANZAS}"/></error></iq>`);
    // Presence is dropped without any answer.
    await send(alice, `<presence to="${bob.jid}" id="pres-blocked"/>`);
    await sync(alice, d);
    await expectNoStanza(alice, `<presence type="error" id="pres-blocked"/>`, 200);
    await expectNoStanza(bob, (el) => ['while-blocked', 'full-blocked', 'iq-blocked', 'pres-blocked'].includes(el.attrs.id), 300);

    await unblock(bob, `alice@${d}`);
    await send(alice, `<message to="bob@${d}" type="chat" id="after-unblock"><body>hello again</body></message>`);
    await expectStanza(bob, `<message from="${alice.jid}" id="after-unblock"><body>hello again</body></message>`);
    await expectNoStanza(alice, `<message type="error" id="after-unblock"/>`, 200);
  });

  test('the user\'s own stanza to a blocked JID gets <not-acceptable/> with <blocked/> and is not routed', async () => {
    const alice = await login('alice');
    await becomeAvailable(alice, d);
    const bob = await login('bob');
    await block(bob, `alice@${d}`);
    await send(bob, `<message to="alice@${d}" type="chat" id="to-blocked"><body>Can you hear me now?</body></message>`);
    await expectStanza(bob, `
      <message type="error" id="to-blocked" from="alice@${d}" to="${bob.jid}">
        <body>Can you hear me now?</body>
        <error type="cancel"><not-acceptable xmlns="${STANZAS}"/><blocked xmlns="urn:xmpp:blocking:errors"/></error>
      </message>`);
    await expectNoStanza(alice, `<message id="to-blocked"/>`, 300);
  });

  test('blocklist pushes go to every resource that requested the blocklist, and only to those', async () => {
    const one = await login('bob', 'one');
    const two = await login('bob', 'two');
    const three = await login('bob', 'three');
    assert.deepEqual(await blocklist(one), []);
    assert.deepEqual(await blocklist(two), []);

    await block(one, `carol@${d}`, 'spam.example');
    for (const c of [one, two]) {
      await expectStanza(c, `<iq type="set" to="${c.jid}"><block xmlns="${BLOCKING}"><item jid="carol@${d}"/><item jid="spam.example"/></block></iq>`);
    }
    await unblock(two, `carol@${d}`);
    for (const c of [one, two]) await expectStanza(c, `<iq type="set"><unblock xmlns="${BLOCKING}"><item jid="carol@${d}"/></unblock></iq>`);
    await unblock(one);
    for (const c of [one, two]) await expectStanza(c, (el) => el.name === 'iq' && el.attrs.type === 'set' && el.getChild('unblock', BLOCKING)?.getChildElements().length === 0);
    await expectNoStanza(three, (el) => el.name === 'iq' && el.attrs.type === 'set', 300);
  });

  test('the blocklist keeps blocking order and survives reconnection; unblock-all empties it (§3.5)', async () => {
    const bob = await login('bob');
    await block(bob, `zed@${d}`, `amy@${d}`);
    await block(bob, 'Spam.Example', `amy@${d}`); // normalized, and amy is not listed twice
    assert.deepEqual(await blocklist(bob), [`zed@${d}`, `amy@${d}`, 'spam.example']);
    await disconnect(bob);
    const again = await login('bob', 'again');
    assert.deepEqual(await blocklist(again), [`zed@${d}`, `amy@${d}`, 'spam.example']);
    await unblock(again);
    assert.deepEqual(await blocklist(again), []);
  });

  test('bad requests: empty <block/>, a malformed JID, someone else\'s blocklist', async () => {
    const bob = await login('bob');
    await send(bob, `<iq type="set" id="empty-block"><block xmlns="${BLOCKING}"/></iq>`);
    await expectStanza(bob, `<iq type="error" id="empty-block"><error type="modify"><bad-request xmlns="${STANZAS}"/></error></iq>`);
    await send(bob, `<iq type="set" id="bad-jid"><block xmlns="${BLOCKING}"><item jid="a@@b"/></block></iq>`);
    await expectStanza(bob, `<iq type="error" id="bad-jid"><error><jid-malformed xmlns="${STANZAS}"/></error></iq>`);
    await send(bob, `<iq type="get" to="alice@${d}" id="not-mine"><blocklist xmlns="${BLOCKING}"/></iq>`);
    await expectStanza(bob, `<iq type="error" id="not-mine"><error><service-unavailable xmlns="${STANZAS}"/></error></iq>`);
    assert.deepEqual(await blocklist(bob), [], 'nothing was half-applied');
  });

  test('blocking a domain blocks its users but not the user\'s own resources or own server (§5, §6)', async () => {
    const alice = await login('alice');
    const bob = await login('bob', 'main');
    const bob2 = await login('bob', 'second');
    await becomeAvailable(bob, d);
    await block(bob, d);
    await send(alice, `<message to="${bob.jid}" type="chat" id="domain-blocked"><body>x</body></message>`);
    await expectStanza(alice, `<message type="error" id="domain-blocked"><error><service-unavailable xmlns="${STANZAS}"/></error></message>`);
    await send(bob2, `<message to="${bob.jid}" type="chat" id="own-resource"><body>from my other device</body></message>`);
    await expectStanza(bob, `<message id="own-resource"><body>from my other device</body></message>`);
    await sync(bob, d); // a ping to the own server still works
  });

  test('blocking sends unavailable presence to a JID that had the user\'s presence (§3.3)', async () => {
    const alice = await login('alice');
    await becomeAvailable(alice, d);
    const bob = await login('bob');
    await becomeAvailable(bob, d);
    await send(bob, `<presence to="${alice.jid}"><status>directed</status></presence>`);
    await expectStanza(alice, `<presence from="${bob.jid}"><status>directed</status></presence>`);
    await block(bob, `alice@${d}`);
    await expectStanza(alice, `<presence type="unavailable" from="${bob.jid}"/>`);
    // Nothing more reaches alice from bob's presence while blocked.
    await send(bob, `<presence><status>changed</status></presence>`);
    await sync(bob, d);
    await expectNoStanza(alice, `<presence from="${bob.jid}"><status>changed</status></presence>`, 300);
  });

  test('messages stored offline from a JID blocked since are not delivered (§3.3 "MUST NOT deliver any XML stanzas")', async () => {
    const alice = await login('alice');
    await send(alice, `<message to="bob@${d}" type="chat" id="stored-then-blocked"><body>sent before the block</body></message>`);
    await sync(alice, d);
    const bob = await login('bob');
    await block(bob, `alice@${d}`); // before any presence: the message is still in offline storage
    await becomeAvailable(bob, d);
    await expectNoStanza(bob, `<message id="stored-then-blocked"/>`, 500);
    await unblock(bob, `alice@${d}`);
    await becomeAvailable(bob, d, 1);
    await expectNoStanza(bob, `<message id="stored-then-blocked"/>`, 300); // dropped, not kept for later
  });

  test('slixmpp: gets block and unblock pushes, its blocked sender bounces, its own message to them fails, unblock restores delivery', { skip: skipUnless('slixmpp') }, async () => {
    const slix = await startSlixOps({ port: server.ports.c2s, jid: `bob@${d}`, password: 'bob-secret' });
    try {
      await slix.request({ op: 'presence', priority: 1 });
      assert.deepEqual((await slix.request({ op: 'blocklist' })).items, [], slix.transcript());
      const other = await login('bob', 'other'); // an @xmpp/client resource of the same account blocks
      await block(other, `alice@${d}`);
      assert.deepEqual((await slix.waitForEvent('blocked')).items, [`alice@${d}`], slix.transcript());

      const alice = await login('alice');
      await send(alice, `<message to="bob@${d}" type="chat" id="slix-blocked"><body>blocked words</body></message>`);
      await expectStanza(alice, `<message type="error" id="slix-blocked"><error type="cancel"><service-unavailable xmlns="${STANZAS}"/></error></message>`);

      await slix.request({ op: 'message', to: `alice@${d}`, body: 'to someone I blocked' });
      const bounced = await slix.waitForEvent('message', 5000, (e) => e.type === 'error');
      assert.equal(bounced.error, 'not-acceptable', slix.transcript());
      assert.equal(bounced.from, `alice@${d}`);
      assert.ok(!slix.events.some((e) => e.event === 'message' && e.body === 'blocked words'), slix.transcript());

      assert.equal((await slix.request({ op: 'unblock', jids: [`alice@${d}`] })).event, 'result', slix.transcript());
      assert.deepEqual((await slix.waitForEvent('unblocked')).items, [`alice@${d}`], slix.transcript());
      await send(alice, `<message to="bob@${d}" type="chat" id="slix-free"><body>free again</body></message>`);
      const got = await slix.waitForEvent('message', 5000, (e) => e.body === 'free again');
      assert.equal(got.from, String(alice.jid));
    } finally {
      await slix.quit();
    }
  });
});
