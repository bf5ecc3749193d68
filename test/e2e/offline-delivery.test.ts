// XEP-0160 offline messages: chat/normal messages to an account with no available resource are
// stored with a XEP-0203 delay and delivered in order on its next available presence with a
// non-negative priority; a full store bounces with <service-unavailable/> (XEP-0160 §2); what is
// not stored (XEP-0334 <no-store/>, chat states alone) is bounced, headlines are dropped (RFC 6121
// §8.5.2.1.1).
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Element } from 'ltx';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { skipUnless } from '../helpers/services.ts';
import { startSlixOps } from '../helpers/slix-ops.ts';
import { becomeAvailable, connectXmppjs, disconnect, expectNoStanza, expectStanza, received, send, sync, type Client } from '../helpers/xmppjs.ts';

const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
const DELAY = 'urn:xmpp:delay';
const QUOTA = 3;

describe('XEP-0160 offline messages', () => {
  let server: RunningServer;
  let d: string;
  let open: Client[] = [];
  const login = async (username: string, resource?: string): Promise<Client> => {
    const c = await connectXmppjs({ port: server.ports.c2s, domain: d, username, password: `${username}-secret`, resource, mechanism: 'PLAIN' });
    open.push(c);
    return c;
  };
  /** Message stanzas with a body the client received, in arrival order. */
  const messages = (c: Client, prefix: string): Element[] => received(c).filter((s) => s.name === 'message' && (s.getChildText('body') ?? '').startsWith(prefix));

  before(async () => {
    server = await startServer({ config: { modules: { offline: { max_messages: QUOTA } } } });
    d = server.domain;
    // One at a time: each adduser is a process of its own, and a loaded machine is slow to start many.
    for (const u of ['alice', 'bob', 'carol', 'dave']) await server.adduser(u, `${u}-secret`);
  });
  afterEach(async () => {
    await Promise.all(open.map(disconnect));
    open = [];
  });
  after(async () => {
    await server?.stop();
  });

  test('the server advertises msgoffline (XEP-0160 §4)', async () => {
    const alice = await login('alice');
    await send(alice, `<iq type="get" to="${d}" id="disco"><query xmlns="http://jabber.org/protocol/disco#info"/></iq>`);
    await expectStanza(alice, `<iq type="result" id="disco"><query xmlns="http://jabber.org/protocol/disco#info"><feature var="msgoffline"/></query></iq>`);
  });

  test('three messages sent while bob is offline arrive in order, with delay stamps, on his next login', async () => {
    const alice = await login('alice');
    const before = Date.now();
    for (const n of [1, 2, 3]) await send(alice, `<message to="bob@${d}" type="chat" id="off-${n}"><body>order ${n}</body></message>`);
    await sync(alice, d);
    await expectNoStanza(alice, `<message type="error"/>`, 200);

    const bob = await login('bob');
    // Stored messages wait for available presence (XEP-0160 §2), not just a bound resource.
    await expectNoStanza(bob, `<message/>`, 300);
    await becomeAvailable(bob, d, 0);
    for (const n of [1, 2, 3]) {
      await expectStanza(bob, `<message from="${alice.jid}" to="bob@${d}" type="chat" id="off-${n}"><body>order ${n}</body><delay xmlns="${DELAY}" from="${d}" stamp="{any}"/></message>`);
    }
    const got = messages(bob, 'order ');
    assert.deepEqual(got.map((m) => m.getChildText('body')), ['order 1', 'order 2', 'order 3'], 'delivered in the order they were sent');
    const stamps = got.map((m) => Date.parse(m.getChild('delay', DELAY)!.attrs.stamp));
    for (const s of stamps) assert.ok(s >= before - 1000 && s <= Date.now() + 1000, `stamp ${new Date(s).toISOString()} is when it was stored`);
    assert.deepEqual([...stamps].sort((a, b) => a - b), stamps, 'stamps never go back in time');

    // Delivered means deleted: the next login gets nothing again.
    await disconnect(bob);
    const again = await login('bob', 'again');
    await becomeAvailable(again, d, 0);
    await expectNoStanza(again, `<message/>`, 500);
  });

  test('when the store is full the sender gets <service-unavailable/> saying so; nothing is dropped silently', async () => {
    const alice = await login('alice');
    for (let n = 1; n <= QUOTA + 1; n++) await send(alice, `<message to="carol@${d}" type="chat" id="quota-${n}"><body>quota ${n}</body></message>`);
    const error = await expectStanza(alice, `
      <message type="error" id="quota-${QUOTA + 1}" from="carol@${d}">
        <error type="cancel"><service-unavailable xmlns="${STANZAS}"/></error>
      </message>`);
    assert.match(error.getChild('error')!.getChildText('text', STANZAS) ?? '', /full/);
    for (let n = 1; n <= QUOTA; n++) await expectNoStanza(alice, `<message type="error" id="quota-${n}"/>`, n === 1 ? 200 : 0);

    const carol = await login('carol');
    await becomeAvailable(carol, d, 1);
    for (let n = 1; n <= QUOTA; n++) await expectStanza(carol, `<message id="quota-${n}"><body>quota ${n}</body></message>`);
    await expectNoStanza(carol, `<message id="quota-${QUOTA + 1}"/>`, 300);

    // With the store emptied by delivery there is room again.
    await disconnect(carol);
    await send(alice, `<message to="carol@${d}" id="quota-after"><body>room again</body></message>`);
    await sync(alice, d);
    await expectNoStanza(alice, `<message type="error" id="quota-after"/>`, 300);
  });

  test('<no-store/> and chat-state-only messages are bounced; headlines are dropped; none is delivered later', async () => {
    const alice = await login('alice');
    await send(alice, `<message to="dave@${d}" type="chat" id="nostore"><body>do not keep</body><no-store xmlns="urn:xmpp:hints"/></message>`);
    await expectStanza(alice, `<message type="error" id="nostore"><error type="cancel"><service-unavailable xmlns="${STANZAS}"/></error></message>`);
    await send(alice, `<message to="dave@${d}" type="chat" id="typing"><composing xmlns="http://jabber.org/protocol/chatstates"/></message>`);
    await expectStanza(alice, `<message type="error" id="typing"><error><service-unavailable xmlns="${STANZAS}"/></error></message>`);
    await send(alice, `<message to="dave@${d}" type="headline" id="news"><body>news</body></message>`);
    await sync(alice, d);
    await expectNoStanza(alice, `<message type="error" id="news"/>`, 200);
    await send(alice, `<message to="dave@${d}" type="chat" id="kept"><body>keep this one</body></message>`);
    await sync(alice, d);

    const dave = await login('dave');
    await becomeAvailable(dave, d);
    await expectStanza(dave, `<message id="kept"><body>keep this one</body></message>`);
    await expectNoStanza(dave, (el) => el.name === 'message' && ['nostore', 'typing', 'news'].includes(el.attrs.id), 400);
  });

  test('a resource with negative priority does not get them; raising its priority to 0 does', async () => {
    const alice = await login('alice');
    const dave = await login('dave', 'shy');
    await becomeAvailable(dave, d, -1);
    // RFC 6121 §8.5.2.1.1: no non-negative resource, so the message is stored.
    await send(alice, `<message to="dave@${d}" type="chat" id="neg"><body>for later</body></message>`);
    await sync(alice, d);
    await expectNoStanza(dave, `<message id="neg"/>`, 300);
    await becomeAvailable(dave, d, 0);
    await expectStanza(dave, `<message id="neg"><body>for later</body><delay xmlns="${DELAY}" from="${d}"/></message>`);
  });

  test('slixmpp: messages stored while it was offline arrive in order, with XEP-0203 delay, after its presence', { skip: skipUnless('slixmpp') }, async () => {
    const alice = await login('alice');
    for (const n of [1, 2, 3]) await send(alice, `<message to="bob@${d}" type="chat" id="slix-${n}"><body>slix order ${n}</body></message>`);
    await sync(alice, d);
    await expectNoStanza(alice, `<message type="error"/>`, 200);
    const bob = await startSlixOps({ port: server.ports.c2s, jid: `bob@${d}`, password: 'bob-secret' });
    try {
      await bob.request({ op: 'presence', priority: 0 });
      const got = [];
      for (let i = 0; i < 3; i++) got.push(await bob.waitForEvent('message', 5000, (e) => String(e.body).startsWith('slix order')));
      assert.deepEqual(got.map((e) => e.body), ['slix order 1', 'slix order 2', 'slix order 3'], bob.transcript());
      for (const e of got) {
        assert.equal(e.delay_from, d, bob.transcript());
        assert.ok(typeof e.delay_stamp === 'string' && !Number.isNaN(Date.parse(e.delay_stamp)), bob.transcript());
        assert.equal(e.from, String(alice.jid));
      }
    } finally {
      await bob.quit();
    }
  });
});
