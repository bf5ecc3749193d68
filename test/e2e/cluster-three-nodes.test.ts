// Cluster mode (docs/clustering.md) end to end: three Parley processes on their own ports share
// one PostgreSQL schema and one Redis prefix. Users on different nodes subscribe to each other and
// exchange messages and presence; carbons reach a resource on a third node; a MUC room has an
// occupant on every node; `parley cluster status` shows them. Then the room's owner node is killed
// with SIGKILL: its user appears offline to the others after the session TTL, the room continues
// on another node, and a message sent to the dead node's user meanwhile is not lost (it waits in
// offline storage and is delivered at the next login, on another node).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { addUsers } from '../helpers/accounts.ts';
import { startCluster, type TestCluster } from '../helpers/cluster.ts';
import { mamQuery } from '../helpers/mam.ts';
import { configure, join, MUC_USER, statusCodes } from '../helpers/muc.ts';
import { skipUnless } from '../helpers/services.ts';
import { becomeAvailable, connectXmppjs, disconnect, expectStanza, send, sync, type Client } from '../helpers/xmppjs.ts';

const CARBONS = 'urn:xmpp:carbons:2';

/** Until the killed process is gone (its sockets closed), bounded. */
async function gone(pid: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`process ${pid} still exists after SIGKILL`);
}
const TTL = 5;

describe('three nodes on one PostgreSQL and one Redis', { skip: skipUnless('postgres', 'redis') }, () => {
  let cluster: TestCluster;
  const d = 'localhost';
  const svc = `conference.${d}`;
  const room = `lobby@${svc}`;
  const open: Client[] = [];
  let alice: Client; // on a
  let bob: Client; // on b
  let carol: Client; // on c
  let bobTablet: Client; // on c

  const login = async (node: string, username: string, resource: string) => {
    const c = await connectXmppjs({ port: cluster.nodes[node].ports.c2s, domain: d, username, password: `${username}-secret`, resource, mechanism: 'PLAIN' });
    open.push(c);
    return c;
  };

  before(async () => {
    cluster = await startCluster({ names: ['a', 'b', 'c'], session_ttl: TTL, heartbeat_interval: 0.5, room_lease: TTL });
    await addUsers(cluster.nodes.a, ['alice', 'bob', 'carol']);
  });
  after(async () => {
    await Promise.all(open.map(disconnect));
    await cluster?.stop();
  });

  test('users on different nodes subscribe to each other and see each other\'s presence', async () => {
    alice = await login('a', 'alice', 'laptop');
    bob = await login('b', 'bob', 'phone');
    await becomeAvailable(alice, d);
    await becomeAvailable(bob, d);
    await send(alice, `<presence to="bob@${d}" type="subscribe"/>`);
    await expectStanza(bob, `<presence from="alice@${d}" type="subscribe"/>`);
    await send(bob, `<presence to="alice@${d}" type="subscribed"/>`);
    // RFC 6121 §3.1.5: once subscribed, alice gets bob's current presence, from node b.
    await expectStanza(alice, (el) => el.name === 'presence' && el.attrs.from === `bob@${d}/phone` && el.attrs.type === undefined);
    await send(bob, `<presence to="alice@${d}" type="subscribe"/>`);
    await expectStanza(alice, `<presence from="bob@${d}" type="subscribe"/>`);
    await send(alice, `<presence to="bob@${d}" type="subscribed"/>`);
    await expectStanza(bob, (el) => el.name === 'presence' && el.attrs.from === `alice@${d}/laptop` && el.attrs.type === undefined);
    // A presence change on node a reaches bob on node b.
    await send(alice, '<presence><show>away</show></presence>');
    const away = await expectStanza(bob, (el) => el.name === 'presence' && el.attrs.from === `alice@${d}/laptop` && el.getChildText('show') === 'away');
    assert.equal(away.attrs.type, undefined);
  });

  test('messages cross nodes to bare and full JIDs, and carbons reach a third node', async () => {
    await send(alice, `<message to="bob@${d}" type="chat" id="m1"><body>hello from node a</body></message>`);
    await expectStanza(bob, `<message from="alice@${d}/laptop" type="chat" id="m1"><body>hello from node a</body></message>`);
    await send(bob, `<message to="alice@${d}/laptop" type="chat" id="m2"><body>hello from node b</body></message>`);
    await expectStanza(alice, `<message from="bob@${d}/phone" type="chat" id="m2"><body>hello from node b</body></message>`);

    // bob's second resource, on node c, comes online: alice (a) sees it; it enables carbons.
    bobTablet = await login('c', 'bob', 'tablet');
    await send(bobTablet, `<iq type="set" id="cb1"><enable xmlns="${CARBONS}"/></iq>`);
    await expectStanza(bobTablet, '<iq type="result" id="cb1"/>');
    await becomeAvailable(bobTablet, d);
    await expectStanza(alice, (el) => el.name === 'presence' && el.attrs.from === `bob@${d}/tablet` && el.attrs.type === undefined);
    await expectStanza(bob, (el) => el.name === 'presence' && el.attrs.from === `bob@${d}/tablet` && el.attrs.type === undefined);
    // XEP-0280 §6.2: alice (a) writes to bob/phone (b); bob/tablet (c) gets a received carbon.
    await send(alice, `<message to="bob@${d}/phone" type="chat" id="m3"><body>carbon me</body></message>`);
    await expectStanza(bob, `<message from="alice@${d}/laptop" id="m3"><body>carbon me</body></message>`);
    const carbon = await expectStanza(bobTablet, (el) => el.name === 'message' && !!el.getChild('received', CARBONS));
    assert.equal(carbon.attrs.from, `bob@${d}`);
    const fwd = carbon.getChild('received', CARBONS)!.getChild('forwarded', 'urn:xmpp:forward:0')!.getChild('message')!;
    assert.equal(fwd.attrs.id, 'm3');
    // XEP-0280 §6.3: what bob/phone (b) sends, bob/tablet (c) gets as a sent carbon.
    await send(bob, `<message to="alice@${d}" type="chat" id="m4"><body>sent carbon</body></message>`);
    await expectStanza(alice, `<message id="m4"><body>sent carbon</body></message>`);
    const sent = await expectStanza(bobTablet, (el) => el.name === 'message' && !!el.getChild('sent', CARBONS));
    assert.equal(sent.getChild('sent', CARBONS)!.getChild('forwarded', 'urn:xmpp:forward:0')!.getChild('message')!.attrs.id, 'm4');
  });

  test('a MUC room with an occupant on every node', async () => {
    carol = await login('c', 'carol', 'desk');
    await becomeAvailable(carol, d);
    // alice creates the room through node a, which becomes its owner, and makes it persistent.
    await join(alice, room, 'Alice');
    const form = await configure(alice, room, { 'muc#roomconfig_persistentroom': '1', 'muc#roomconfig_publicroom': '1' });
    assert.equal(form.attrs.type, 'result', form.toString());
    const bj = await join(bob, room, 'Bob');
    assert.deepEqual(bj.occupants.map((p) => p.attrs.from), [`${room}/Alice`]);
    const cj = await join(carol, room, 'Carol');
    assert.deepEqual(cj.occupants.map((p) => p.attrs.from).sort(), [`${room}/Alice`, `${room}/Bob`]);
    await expectStanza(alice, (el) => el.name === 'presence' && el.attrs.from === `${room}/Carol`);
    await expectStanza(bob, (el) => el.name === 'presence' && el.attrs.from === `${room}/Carol`);
    await send(carol, `<message to="${room}" type="groupchat" id="g1"><body>hi all three nodes</body></message>`);
    for (const c of [alice, bob, carol]) await expectStanza(c, `<message from="${room}/Carol" type="groupchat" id="g1"><body>hi all three nodes</body></message>`);
  });

  test('parley cluster status lists the nodes, their sessions and the room owner', async () => {
    const r = await cluster.nodes.b.cli(['cluster', 'status']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    const nodeLine = (id: string) => lines.find((l) => l.trim().startsWith(`${id} `)) ?? '';
    assert.match(nodeLine('a'), /alive\s+1 sessions?/, r.stdout);
    assert.match(nodeLine('b'), /alive\s+1 sessions?/, r.stdout);
    assert.match(nodeLine('c'), /alive\s+2 sessions/, r.stdout);
    assert.match(r.stdout, new RegExp(`${room.replace(/\./g, '\\.')}\\s+a\\b`), r.stdout);
  });

  test('SIGKILL on node a: alice goes offline after the TTL, the room moves, nothing acknowledged is lost', async () => {
    const killedAt = Date.now();
    process.kill(cluster.nodes.a.pid, 'SIGKILL');
    await gone(cluster.nodes.a.pid);
    // Right away (long before the TTL), bob writes to alice: it must not vanish with node a.
    await send(bob, `<message to="alice@${d}/laptop" type="chat" id="while-dead"><body>are you there?</body></message>`);
    await sync(bob, d);
    // Her contacts see her go unavailable once node a's key expires.
    await expectStanza(bob, `<presence from="alice@${d}/laptop" type="unavailable"/>`, (TTL + 10) * 1000);
    await expectStanza(bobTablet, `<presence from="alice@${d}/laptop" type="unavailable"/>`, 5000);
    const elapsed = Date.now() - killedAt;
    assert.ok(elapsed >= (TTL - 1) * 1000, `unavailable after ${elapsed} ms, before the ${TTL} s TTL`);
    // The room is owned by another node now; alice's occupant left it, and bob and carol stay in.
    const left = await expectStanza(carol, (el) => el.name === 'presence' && el.attrs.from === `${room}/Alice` && el.attrs.type === 'unavailable', 10_000);
    assert.ok(left.getChild('x', MUC_USER));
    await send(bob, `<message to="${room}" type="groupchat" id="g2"><body>still here</body></message>`);
    for (const c of [bob, carol]) await expectStanza(c, `<message from="${room}/Bob" type="groupchat" id="g2"><body>still here</body></message>`, 10_000);
    await send(carol, `<message to="${room}" type="groupchat" id="g3"><body>me too</body></message>`);
    for (const c of [bob, carol]) await expectStanza(c, `<message from="${room}/Carol" type="groupchat" id="g3"><body>me too</body></message>`, 10_000);
    const status = await cluster.nodes.b.cli(['cluster', 'status']);
    assert.doesNotMatch(status.stdout, /^\s*a\s+alive/m, status.stdout);
    assert.match(status.stdout, new RegExp(`${room.replace(/\./g, '\\.')}\\s+[bc]\\b`), status.stdout);

    // alice logs in again, on node b: the message sent while her node was dead is waiting.
    const again = await login('b', 'alice', 'laptop');
    await becomeAvailable(again, d);
    await expectStanza(again, (el) => el.name === 'message' && el.attrs.id === 'while-dead' && el.getChildText('body') === 'are you there?', 10_000);
    // And it is in her archive (XEP-0313), stored once.
    const archived = (await mamQuery(again, { with: `bob@${d}` })).results.filter((r) => r.body === 'are you there?');
    assert.equal(archived.length, 1);
    // She rejoins the room, now owned by another node, and chats with the others.
    const rj = await join(again, room, 'Alice');
    assert.ok(statusCodes(rj.self).includes('110'));
    await send(again, `<message to="${room}" type="groupchat" id="g4"><body>back</body></message>`);
    for (const c of [again, bob, carol]) await expectStanza(c, `<message from="${room}/Alice" type="groupchat" id="g4"><body>back</body></message>`, 10_000);
  });
});
