// XEP-0198 §5 resumption: a client cut off mid-conversation (its socket destroyed, no
// </stream:stream>) comes back on a new TCP connection from another address and gets, in order
// and once, what was sent meanwhile; its session kept the same full JID and presence. A session
// never resumed hands its unacknowledged stanzas on (offline storage, or errors to the senders).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { RawXmpp, streamErrorCondition } from '../helpers/raw.ts';
import { countedStanzas, requestAck, resumeSm, smClient, waitForCounted } from '../helpers/sm-raw.ts';
import { hasServerFeature } from '../helpers/disco-probe.ts';
import { cutConnection, reconnectAndResume, smOf, waitSmEnabled } from '../helpers/xmppjs-sm.ts';
import { becomeAvailable, connectXmppjs, disconnect, expectNoStanza, expectStanza, received, send, sync, type Client } from '../helpers/xmppjs.ts';

const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
const OTHER_NETWORK = '127.0.0.2';

describe('XEP-0198 resumption', () => {
  let server: RunningServer;
  const raws: RawXmpp[] = [];
  const clients: Client[] = [];
  let d: string;

  before(async () => {
    server = await startServer({ config: { modules: { sm: { resume_timeout: 60 } } } });
    d = server.domain;
    await Promise.all(['alice', 'bob', 'carol', 'erin'].map((u) => server.adduser(u, `${u}-secret`)));
  });
  after(async () => {
    for (const r of raws) r.destroy();
    await Promise.all(clients.map(disconnect));
    await server?.stop();
  });

  const xmppjs = async (user: string, resource: string) => {
    const c = await connectXmppjs({ port: server.ports.c2s, domain: d, username: user, password: `${user}-secret`, resource });
    clients.push(c);
    return c;
  };
  const raw = async (user: string, resource: string, extra: { max?: number; resume?: boolean } = {}) => {
    const c = await smClient({ port: server.ports.c2s, domain: d, username: user, password: `${user}-secret`, resource, ...extra });
    raws.push(c.raw);
    return c;
  };
  const hibernated = (jid: string) => server.waitForLog(new RegExp(`"jid":"${jid.replace(/[.]/g, '\\.')}".*"msg":"session hibernated"`), 10_000);

  test('@xmpp/client cut off mid-conversation resumes from another address and gets what was sent meanwhile, once, in order', async () => {
    const alice = await xmppjs('alice', 'desk');
    const bob = await xmppjs('bob', 'phone');
    await waitSmEnabled(bob);
    await becomeAvailable(bob, d, 5);
    const bobJid = bob.jid!.toString();

    await send(alice, `<message to='${bobJid}' type='chat' id='before'><body>are you there?</body></message>`);
    await expectStanza(bob, `<message id='before'><body>are you there?</body></message>`);

    await cutConnection(bob);
    await hibernated(bobJid);

    // Meanwhile: to the full JID, and to the bare JID (the hibernating session keeps its presence and priority).
    const ids = ['m1', 'm2', 'm3', 'bare1'];
    for (const id of ids.slice(0, 3)) await send(alice, `<message to='${bobJid}' type='chat' id='${id}'><body>${id}</body></message>`);
    await send(alice, `<message to='bob@${d}' type='chat' id='bare1'><body>bare1</body></message>`);
    await sync(alice, d);
    await expectNoStanza(alice, `<message type='error'/>`, 300);

    await reconnectAndResume(bob, OTHER_NETWORK);
    assert.equal(bob.jid!.toString(), bobJid, 'same full JID after resumption');
    for (const id of ids) await expectStanza(bob, `<message id='${id}' from='${alice.jid}'><body>${id}</body></message>`);
    const got = received(bob).filter((s) => s.name === 'message' && ids.includes(s.attrs.id ?? '')).map((s) => s.attrs.id);
    assert.deepEqual(got, ids, 'each message exactly once, in the order sent');
    await server.waitForLog(new RegExp(`"ip":"${OTHER_NETWORK.replace(/\./g, '\\.')}".*"msg":"session resumed"`), 5000);

    // The conversation goes on over the new connection, both ways, and both sides' counts agree:
    // everything bob sent is acknowledged, and his acks never exceed what the server sent.
    await send(bob, `<message to='${alice.jid}' type='chat' id='back'><body>back again</body></message>`);
    await expectStanza(alice, `<message id='back' from='${bobJid}'/>`);
    await send(alice, `<message to='${bobJid}' type='chat' id='after'><body>welcome back</body></message>`);
    await expectStanza(bob, `<message id='after'/>`);
    await sync(bob, d);
    const deadline = Date.now() + 3000;
    while (smOf(bob).outbound_q.length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(smOf(bob).outbound_q.length, 0, 'the server acknowledged everything bob sent, across the resumption');
  });

  test('raw: <resumed h/> counts what the old connection sent; unacknowledged stanzas are resent, then the new ones', async () => {
    const alice = await xmppjs('alice', 'raw-peer');
    const { raw: first, enabled } = await raw('bob', 'rawres');
    first.write(`<iq type='get' id='p1' to='${d}'><ping xmlns='urn:xmpp:ping'/></iq>`);
    first.write(`<iq type='get' id='p2' to='${d}'><ping xmlns='urn:xmpp:ping'/></iq>`);
    await waitForCounted(first, 2);
    // bob handled the two pongs and says so; r1 arrives but the network drops before he acks it.
    first.write(`<a xmlns='urn:xmpp:sm:3' h='2'/>`);
    await send(alice, `<message to='bob@${d}/rawres' type='chat' id='r1'><body>one</body></message>`);
    await waitForCounted(first, 3);
    first.destroy();
    await hibernated(`bob@${d}/rawres`);
    await send(alice, `<message to='bob@${d}/rawres' type='chat' id='r2'><body>two</body></message>`);
    await sync(alice, d);

    const { raw: second, answer } = await resumeSm({ port: server.ports.c2s, domain: d, username: 'bob', password: 'bob-secret', previd: enabled.id!, h: 2, localAddress: OTHER_NETWORK });
    raws.push(second);
    assert.equal(answer.name, 'resumed', `${answer}`);
    assert.equal(answer.attrs.previd, enabled.id);
    assert.equal(answer.attrs.h, '2', 'bob sent two stanzas on the old connection');
    const messages = (await waitForCounted(second, 2)).filter((e) => e.name === 'message').map((e) => e.attrs.id);
    assert.deepEqual(messages, ['r1', 'r2'], 'r1 (never acknowledged) is resent before r2');
    // Counting goes on from the old connection: 2 acknowledged before, plus what came now.
    const now = countedStanzas(second).length;
    second.write(`<a xmlns='urn:xmpp:sm:3' h='${2 + now}'/>`);
    assert.equal(await requestAck(second), 2, 'nothing sent on the new connection yet');
    second.write(`<iq type='get' id='p3' to='${d}'><ping xmlns='urn:xmpp:ping'/></iq>`);
    assert.equal(await requestAck(second), 3, 'inbound counting continues from the old connection');
    assert.equal(second.closed, false);
  });

  test('§5: resuming while the old connection is still open closes that one with <conflict/>', async () => {
    const { raw: old, enabled } = await raw('bob', 'twice');
    old.write(`<iq type='get' id='t1' to='${d}'><ping xmlns='urn:xmpp:ping'/></iq>`);
    await waitForCounted(old, 1);
    const { raw: fresh, answer } = await resumeSm({ port: server.ports.c2s, domain: d, username: 'bob', password: 'bob-secret', previd: enabled.id!, h: 1, localAddress: OTHER_NETWORK });
    raws.push(fresh);
    assert.equal(answer.name, 'resumed', `${answer}`);
    assert.equal(answer.attrs.h, '1');
    const text = await old.waitClosed();
    assert.equal(streamErrorCondition(text), 'conflict', text.slice(-500));
    // The session lives on in the new connection.
    const alice = await xmppjs('alice', 'twice-peer');
    await send(alice, `<message to='bob@${d}/twice' type='chat' id='t2'><body>still there</body></message>`);
    const msgs = (await waitForCounted(fresh, 1)).filter((e) => e.name === 'message');
    assert.equal(msgs[0]?.attrs.id, 't2');
  });

  test('§5: an unknown SM-ID, another account\'s SM-ID, or <resume/> after binding fail without touching the session', async () => {
    const { raw: bobs, enabled } = await raw('bob', 'guarded');
    const unknown = await resumeSm({ port: server.ports.c2s, domain: d, username: 'bob', password: 'bob-secret', previd: 'no-such-session', h: 0 });
    raws.push(unknown.raw);
    assert.equal(unknown.answer.name, 'failed');
    assert.ok(unknown.answer.getChild('item-not-found', STANZAS), `${unknown.answer}`);
    // §5: the client may bind a resource instead, on the same stream.
    await unknown.raw.bind('instead');

    // carol knows bob's SM-ID: she is told exactly what an unknown id gets, and bob keeps his session.
    const stolen = await resumeSm({ port: server.ports.c2s, domain: d, username: 'carol', password: 'carol-secret', previd: enabled.id!, h: 0 });
    raws.push(stolen.raw);
    assert.equal(stolen.answer.name, 'failed');
    assert.ok(stolen.answer.getChild('item-not-found', STANZAS), `${stolen.answer}`);
    assert.equal(stolen.answer.attrs.h, undefined);
    assert.equal(await requestAck(bobs), 0, "bob's stream is untouched");
    assert.equal(bobs.closed, false);

    bobs.write(`<resume xmlns='urn:xmpp:sm:3' previd='${enabled.id}' h='0'/>`);
    await bobs.waitFor(/<\/failed>|<failed[^>]*\/>/);
    assert.ok(bobs.unread(true).includes('unexpected-request'), 'a bound stream cannot resume');
  });

  test('a session never resumed hands its unacknowledged and queued stanzas on, then <resume/> gets <failed h/>', async () => {
    const alice = await xmppjs('alice', 'expiry-peer');
    // The client asks for a 1 s resumption window (§3 'max'); the server grants the smaller one.
    const { raw: erin, enabled } = await raw('erin', 'gone', { max: 1 });
    assert.equal(enabled.max, '1');
    erin.write(`<presence><priority>1</priority></presence>`);
    await send(alice, `<message to='erin@${d}/gone' type='chat' id='unacked'><body>received but never acked</body></message>`);
    await erin.waitFor(/id=["']unacked["']/);
    erin.write(`<iq type='get' id='h1' to='${d}'><ping xmlns='urn:xmpp:ping'/></iq>`);
    await erin.waitFor(/id=["']h1["']/);
    erin.destroy();
    await hibernated(`erin@${d}/gone`);
    await send(alice, `<message to='erin@${d}/gone' type='chat' id='queued'><body>sent while he was away</body></message>`);
    await send(alice, `<iq to='erin@${d}/gone' type='get' id='iq-queued'><ping xmlns='urn:xmpp:ping'/></iq>`);
    await server.waitForLog(/"msg":"handing on unacknowledged stanzas"/, 10_000);

    // iq requests are answered with an error once the session is gone (RFC 6120 §8.3, RFC 6121 §8.5.3.2.2).
    await expectStanza(alice, `<iq type='error' id='iq-queued'><error><service-unavailable xmlns='${STANZAS}'/></error></iq>`);
    if (await hasServerFeature(alice, d, 'msgoffline')) {
      // XEP-0160: stored, delivered at the next login, with a XEP-0203 delay.
      const later = await raw('erin', 'later', { resume: false });
      later.raw.write(`<presence/>`);
      for (const id of ['unacked', 'queued']) await later.raw.waitFor(new RegExp(`<message[^>]*id=["']${id}["'][\\s\\S]*?urn:xmpp:delay`));
      await expectNoStanza(alice, `<message type='error'/>`, 300);
    } else {
      for (const id of ['unacked', 'queued']) await expectStanza(alice, `<message type='error' id='${id}'><error><service-unavailable xmlns='${STANZAS}'/></error></message>`);
    }

    const late = await resumeSm({ port: server.ports.c2s, domain: d, username: 'erin', password: 'erin-secret', previd: enabled.id!, h: 1 });
    raws.push(late.raw);
    assert.equal(late.answer.name, 'failed');
    assert.ok(late.answer.getChild('item-not-found', STANZAS), `${late.answer}`);
    assert.equal(late.answer.attrs.h, '2', '§5: the h of the timed-out session (presence and one ping)');
  });
});
