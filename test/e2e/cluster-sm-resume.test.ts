// XEP-0198 §5 resumption on another cluster node (docs/clustering.md): two Parley processes share
// one PostgreSQL schema and one Redis prefix. A raw client on node a enables resumption, gets
// messages it acknowledges only in part, loses its socket, misses one more message while its
// session hibernates on a, then reconnects to node b and resumes there: it gets <resumed/> and
// exactly the messages it had not acknowledged (none lost, none twice, nothing left in offline
// storage), keeps its full JID, and chats on. A made-up SM-ID on b gets <failed/>.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { addUsers } from '../helpers/accounts.ts';
import { startCluster, type TestCluster } from '../helpers/cluster.ts';
import { RawXmpp } from '../helpers/raw.ts';
import { skipUnless } from '../helpers/services.ts';
import { countedStanzas, requestAck, resumeSm, smClient, waitForCounted } from '../helpers/sm-raw.ts';
import { connectXmppjs, disconnect, expectNoStanza, expectStanza, send, sync, type Client } from '../helpers/xmppjs.ts';

const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('XEP-0198 resumption on another cluster node', { skip: skipUnless('postgres', 'redis') }, () => {
  let cluster: TestCluster;
  const d = 'localhost';
  const raws: RawXmpp[] = [];
  const clients: Client[] = [];

  before(async () => {
    cluster = await startCluster({ names: ['a', 'b'], session_ttl: 5, heartbeat_interval: 0.5, room_lease: 5, config: { modules: { sm: { resume_timeout: 60 } } } });
    await addUsers(cluster.nodes.a, ['alice', 'bob']);
  });
  after(async () => {
    for (const r of raws) r.destroy();
    await Promise.all(clients.map(disconnect));
    await cluster?.stop();
  });

  const xmppjs = async (node: string, username: string, resource: string) => {
    const c = await connectXmppjs({ port: cluster.nodes[node].ports.c2s, domain: d, username, password: `${username}-secret`, resource, mechanism: 'PLAIN' });
    clients.push(c);
    return c;
  };
  const smOn = async (node: string, username: string, resource: string) => {
    const c = await smClient({ port: cluster.nodes[node].ports.c2s, domain: d, username, password: `${username}-secret`, resource });
    raws.push(c.raw);
    return c;
  };
  const resumeOn = async (node: string, username: string, previd: string, h: number) => {
    const r = await resumeSm({ port: cluster.nodes[node].ports.c2s, domain: d, username, password: `${username}-secret`, previd, h });
    raws.push(r.raw);
    return r;
  };
  const messageIds = (raw: RawXmpp) => countedStanzas(raw).filter((e) => e.name === 'message').map((e) => e.attrs.id);

  test('a made-up SM-ID on the other node gets <failed/>, and the real session is untouched', async () => {
    const { raw: desk, enabled } = await smOn('a', 'bob', 'desk');
    assert.equal(enabled.resume, 'true');
    // Node b knows bob has a session on a (the registry) and asks a, which has no such SM-ID.
    const t0 = Date.now();
    const bogus = await resumeOn('b', 'bob', 'no-such-session', 0);
    assert.equal(bogus.answer.name, 'failed', `${bogus.answer}`);
    assert.ok(bogus.answer.getChild('item-not-found', STANZAS), `${bogus.answer}`);
    assert.ok(Date.now() - t0 < 2500, 'node a answered the claim (no timeout)');
    // alice's SM-ID is not bob's: alice asking for it fails the same way.
    const stolen = await resumeOn('b', 'alice', enabled.id!, 0);
    assert.equal(stolen.answer.name, 'failed', `${stolen.answer}`);
    assert.equal(await requestAck(desk), 0, "bob's stream on node a is untouched");
    assert.equal(desk.closed, false);
    desk.end();
  });

  test('a session hibernating on node a resumes on node b with exactly its unacknowledged stanzas', async () => {
    const alice = await xmppjs('b', 'alice', 'laptop');
    const { raw: first, enabled } = await smOn('a', 'bob', 'phone');
    const bobJid = `bob@${d}/phone`;
    for (const id of ['m1', 'm2', 'm3']) await send(alice, `<message to='${bobJid}' type='chat' id='${id}'><body>${id}</body></message>`);
    await waitForCounted(first, 3);
    assert.deepEqual(messageIds(first), ['m1', 'm2', 'm3']);
    // bob acknowledges m1 only; then his network goes.
    first.write(`<a xmlns='urn:xmpp:sm:3' h='1'/>`);
    await sleep(200);
    first.destroy();
    await cluster.nodes.a.waitForLog(new RegExp(`"jid":"bob@localhost/phone".*"msg":"session hibernated"`), 10_000);
    // While the session hibernates on a: m4 goes there over the bus and waits in its queue.
    await send(alice, `<message to='${bobJid}' type='chat' id='m4'><body>m4</body></message>`);
    await sync(alice, d);
    await sleep(300);

    // bob comes back on node b; he had also handled m2 (h=2): m3 and m4 remain.
    const { raw: second, answer } = await resumeOn('b', 'bob', enabled.id!, 2);
    assert.equal(answer.name, 'resumed', `${answer}`);
    assert.equal(answer.attrs.previd, enabled.id);
    assert.equal(answer.attrs.h, '0', 'bob sent no stanza on the old connection');
    await waitForCounted(second, 2);
    await cluster.nodes.a.waitForLog(/"msg":"cluster: hibernating session handed over"/, 5000);
    // Initial presence now would fetch anything the old node had put in offline storage.
    second.write('<presence/>');
    await sleep(1000);
    assert.deepEqual(messageIds(second), ['m3', 'm4'], 'each unacknowledged message exactly once, in order');
    await expectNoStanza(alice, `<message type='error'/>`, 200);

    // The conversation goes on from node b, both ways, under the same full JID.
    second.write(`<message to='alice@${d}/laptop' type='chat' id='back'><body>back on node b</body></message>`);
    await expectStanza(alice, `<message id='back' from='${bobJid}'><body>back on node b</body></message>`);
    await send(alice, `<message to='${bobJid}' type='chat' id='m5'><body>welcome back</body></message>`);
    await second.waitFor(/id=["']m5["']/);
    assert.deepEqual(messageIds(second), ['m3', 'm4', 'm5']);
    // Counting goes on: bob sent presence and a message on the new connection.
    assert.equal(await requestAck(second), 2);
    assert.equal(second.closed, false);
  });
});
