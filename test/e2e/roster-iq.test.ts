// Roster management over jabber:iq:roster with @xmpp/client (RFC 6121 §2): get, set, remove, stable
// order, pushes to interested resources only, the §2.3.3 error cases, the roster size limit, and
// roster versioning (§2.6 / XEP-0237).
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { addUsers } from '../helpers/accounts.ts';
import { connectXmppjs, disconnect, expectNoStanza, expectStanza, send, sync, type Client } from '../helpers/xmppjs.ts';
import { errorCondition, expectPush, getRoster, ROSTER, setRoster } from '../helpers/roster.ts';

describe('roster get/set/remove (RFC 6121 §2)', () => {
  let server: RunningServer;
  let d: string;
  let open: Client[] = [];
  const users = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gina'];

  const login = async (username: string, resource?: string): Promise<Client> => {
    const c = await connectXmppjs({ port: server.ports.c2s, domain: d, username, password: `${username}-secret`, resource, mechanism: 'PLAIN' });
    open.push(c);
    return c;
  };

  before(async () => {
    server = await startServer({ config: { modules: { roster: { max_items: 3, max_name_length: 20, max_group_length: 10 } } } });
    d = server.domain;
    await addUsers(server, users);
  });
  afterEach(async () => {
    await Promise.all(open.map(disconnect));
    open = [];
  });
  after(async () => {
    await server?.stop();
  });

  test('§2.1.3: a new account has an empty roster', async () => {
    const alice = await login('alice');
    const r = await getRoster(alice);
    assert.equal(r.hasQuery, true);
    assert.deepEqual(r.items, []);
  });

  test('§2.3 / §2.4: items come back in the order they were added; an update keeps its place and replaces name and groups', async () => {
    const bob = await login('bob');
    await getRoster(bob);
    for (const contact of ['zed', 'amy', 'mia']) {
      const res = await setRoster(bob, `<item jid="${contact}@${d}" name="${contact}"><group>Friends</group></item>`);
      assert.equal(res.attrs.type, 'result', res.toString());
      const push = await expectPush(bob, `${contact}@${d}`);
      assert.deepEqual({ name: push.name, subscription: push.subscription, groups: push.groups }, { name: contact, subscription: 'none', groups: ['Friends'] });
    }
    await setRoster(bob, `<item jid="zed@${d}" name="Zed"><group>Work</group><group>Chess</group></item>`);
    await expectPush(bob, `zed@${d}`);
    const r = await getRoster(bob);
    assert.deepEqual(r.items, [
      { jid: `zed@${d}`, name: 'Zed', subscription: 'none', groups: ['Work', 'Chess'] },
      { jid: `amy@${d}`, name: 'amy', subscription: 'none', groups: ['Friends'] },
      { jid: `mia@${d}`, name: 'mia', subscription: 'none', groups: ['Friends'] },
    ]);
  });

  test('§2.1.6: a push goes to every interested resource, not to one that never asked for the roster', async () => {
    const one = await login('carol', 'one');
    const two = await login('carol', 'two');
    const quiet = await login('carol', 'quiet');
    await getRoster(one);
    await getRoster(two);
    await setRoster(one, `<item jid="romeo@${d}" name="Romeo"/>`);
    // RFC 6121 §2.3.2: including the resource that sent the roster set.
    await expectPush(one, `romeo@${d}`);
    const p2 = await expectPush(two, `romeo@${d}`);
    assert.equal(p2.name, 'Romeo');
    assert.equal(p2.iq.attrs.to, String(two.jid));
    await expectNoStanza(quiet, (el) => el.name === 'iq' && el.attrs.type === 'set', 300);
  });

  test('§2.5: remove pushes subscription="remove"; removing an unknown item is item-not-found', async () => {
    const dave = await login('dave');
    await getRoster(dave);
    await setRoster(dave, `<item jid="x@${d}"/>`);
    await expectPush(dave, `x@${d}`);
    const res = await setRoster(dave, `<item jid="x@${d}" subscription="remove"/>`);
    assert.equal(res.attrs.type, 'result');
    const push = await expectPush(dave, `x@${d}`);
    assert.equal(push.subscription, 'remove');
    assert.deepEqual((await getRoster(dave)).items, []);
    const missing = await setRoster(dave, `<item jid="x@${d}" subscription="remove"/>`);
    assert.equal(errorCondition(missing), 'item-not-found');
  });

  test('§2.3.3: invalid roster sets are refused and the session goes on', async () => {
    const erin = await login('erin');
    await getRoster(erin);
    const cases: Array<[string, string]> = [
      [`<item jid="a@b@c"/>`, 'jid-malformed'],
      [`<item jid="@${d}"/>`, 'jid-malformed'],
      [`<item name="no jid"/>`, 'bad-request'],
      [`<item jid="p@${d}"/><item jid="q@${d}"/>`, 'bad-request'],
      [`<item jid="p@${d}"><group>G</group><group>G</group></item>`, 'bad-request'],
      [`<item jid="p@${d}"><group></group></item>`, 'not-acceptable'],
      [`<item jid="p@${d}"><group>eleven char</group></item>`, 'not-acceptable'],
      [`<item jid="p@${d}" name="twenty-one characters"/>`, 'not-acceptable'],
    ];
    for (const [item, condition] of cases) {
      const res = await setRoster(erin, item);
      assert.equal(res.attrs.type, 'error', `${item} was accepted`);
      assert.equal(errorCondition(res), condition, item);
    }
    // Limits are inclusive: ten characters of group and twenty of name are fine.
    const ok = await setRoster(erin, `<item jid="p@${d}" name="twenty characters!!!"><group>ten chars!</group></item>`);
    assert.equal(ok.attrs.type, 'result', ok.toString());
    await sync(erin, d);
    assert.deepEqual((await getRoster(erin)).items.map((i) => i.jid), [`p@${d}`]);
  });

  test('§2.1.5: nobody reads or changes another account\'s roster', async () => {
    const frank = await login('frank');
    await send(frank, `<iq type="get" id="peek" to="alice@${d}"><query xmlns="${ROSTER}"/></iq>`);
    const get = await expectStanza(frank, `<iq type="error" id="peek"/>`);
    assert.equal(errorCondition(get), 'forbidden');
    await send(frank, `<iq type="set" id="poke" to="alice@${d}"><query xmlns="${ROSTER}"><item jid="frank@${d}"/></query></iq>`);
    assert.equal(errorCondition(await expectStanza(frank, `<iq type="error" id="poke"/>`)), 'forbidden');
  });

  test('the roster size limit (max_items = 3) refuses a fourth item with policy-violation', async () => {
    const gina = await login('gina');
    for (const c of ['a', 'b', 'c']) assert.equal((await setRoster(gina, `<item jid="${c}@${d}"/>`)).attrs.type, 'result');
    const full = await setRoster(gina, `<item jid="d@${d}"/>`);
    assert.equal(errorCondition(full), 'policy-violation');
    // Updating an existing item is still allowed, and so is a subscription to a contact already listed.
    assert.equal((await setRoster(gina, `<item jid="a@${d}" name="A"/>`)).attrs.type, 'result');
    // A subscription request that would add an item is refused the same way, and not sent.
    await send(gina, `<presence type="subscribe" to="alice@${d}" id="sub-full"/>`);
    const bounced = await expectStanza(gina, `<presence type="error" id="sub-full"/>`);
    assert.equal(errorCondition(bounced), 'policy-violation');
  });
});

describe('roster versioning (RFC 6121 §2.6, XEP-0237)', () => {
  let server: RunningServer;
  let d: string;
  let open: Client[] = [];
  const login = async (username: string, resource?: string): Promise<Client> => {
    const c = await connectXmppjs({ port: server.ports.c2s, domain: d, username, password: `${username}-secret`, resource, mechanism: 'PLAIN' });
    open.push(c);
    return c;
  };
  before(async () => {
    server = await startServer();
    d = server.domain;
    await addUsers(server, ['alice']);
  });
  afterEach(async () => {
    await Promise.all(open.map(disconnect));
    open = [];
  });
  after(async () => {
    await server?.stop();
  });

  test('a current ver gets an empty result, an old one the whole roster with the new ver; pushes carry ver', async () => {
    const first = await login('alice', 'first');
    const empty = await getRoster(first, '');
    assert.equal(empty.hasQuery, true);
    assert.ok(empty.ver !== undefined && empty.ver.length > 0, 'ver attribute on the result');
    await setRoster(first, `<item jid="romeo@${d}" name="Romeo"/>`);
    const push = await expectPush(first, `romeo@${d}`);
    assert.ok(push.ver !== undefined && push.ver !== empty.ver, `push ver ${push.ver} after ${empty.ver}`);
    await disconnect(first);

    // Second login with the version the client has: nothing to send (§2.6.3).
    const second = await login('alice', 'second');
    const current = await getRoster(second, push.ver);
    assert.equal(current.hasQuery, false, `expected an empty result, got ${current.iq.toString()}`);
    // ... and later changes come as pushes.
    await setRoster(second, `<item jid="juliet@${d}"/>`);
    const push2 = await expectPush(second, `juliet@${d}`);
    assert.ok(push2.ver !== undefined && push2.ver !== push.ver);

    // An outdated version gets the full roster and the current version.
    const third = await login('alice', 'third');
    const full = await getRoster(third, push.ver);
    assert.equal(full.ver, push2.ver);
    assert.deepEqual(full.items.map((i) => i.jid), [`romeo@${d}`, `juliet@${d}`]);
    // Without ver, no ver in the answer (the client does not do versioning).
    const plain = await getRoster(third);
    assert.equal(plain.ver, undefined);
    assert.equal(plain.items.length, 2);
  });
});
