// XEP-0280 Message Carbons with @xmpp/client: enabling per resource (§4/§5), received carbons
// (§6.2) for full- and bare-JID deliveries, sent carbons (§6.3), the <private/> opt-out and the
// XEP-0334 <no-copy/> hint (§7), which messages are eligible (§6.1, as docs/xeps.md reads it),
// and MUC private messages (§6.1.1).
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { registerInBand } from '../helpers/raw-iq.ts';
import { becomeAvailable, connectXmppjs, disconnect, expectNoStanza, expectStanza, nextId, send, sync, type Client } from '../helpers/xmppjs.ts';

const CARBONS = 'urn:xmpp:carbons:2';
const FORWARD = 'urn:xmpp:forward:0';
const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';

describe('XEP-0280 message carbons', () => {
  let server: RunningServer;
  let d: string;
  let open: Client[] = [];

  const login = async (username: string, resource: string) => {
    const c = await connectXmppjs({ port: server.ports.c2s, domain: d, username, password: `${username}-carbons`, resource, mechanism: 'PLAIN' });
    open.push(c);
    return c;
  };
  const iq = async (c: Client, body: string, to?: string) => {
    const id = nextId('c');
    await send(c, `<iq type="set" id="${id}"${to ? ` to="${to}"` : ''}>${body}</iq>`);
    return expectStanza(c, (el) => el.name === 'iq' && el.attrs.id === id && el.attrs.type !== 'set');
  };
  const enable = async (c: Client) => assert.equal((await iq(c, `<enable xmlns="${CARBONS}"/>`)).attrs.type, 'result');
  /** A carbon as §6.2/§6.3 describe it: from the bare JID, to the resource, the original inside. */
  const carbon = (direction: 'received' | 'sent', to: Client, innerAttrs: string, body: string) => `
    <message from="${to.jid!.bare()}" to="${to.jid}">
      <${direction} xmlns="${CARBONS}"><forwarded xmlns="${FORWARD}">
        <message xmlns="jabber:client" ${innerAttrs}><body>${body}</body></message>
      </forwarded></${direction}>
    </message>`;
  const anyCarbon = (id: string) => (el: { name: string; getChild(n: string, ns?: string): any }) =>
    el.name === 'message' && ['received', 'sent'].some((n) => el.getChild(n, CARBONS)?.getChild('forwarded', FORWARD)?.getChild('message')?.attrs.id === id);

  before(async () => {
    server = await startServer({ readyTimeoutMs: 120_000, config: { modules: { register: { enabled: true, max_per_address_hour: 1000, max_per_address_day: 1000, max_global_minute: 1000 } } } });
    d = server.domain;
    await Promise.all(['alice', 'bob'].map((u) => registerInBand(server, u, `${u}-carbons`)));
  });
  afterEach(async () => {
    await Promise.all(open.map(disconnect));
    open = [];
  });
  after(async () => {
    await server?.stop();
  });

  test('§2: the server advertises urn:xmpp:carbons:2', async () => {
    const a = await login('alice', 'disco');
    const id = nextId('disco');
    await send(a, `<iq type="get" id="${id}" to="${d}"><query xmlns="http://jabber.org/protocol/disco#info"/></iq>`);
    await expectStanza(a, `<iq type="result" id="${id}"><query><feature var="${CARBONS}"/></query></iq>`);
  });

  test('§6.2: a message to one resource is copied to the other carbon-enabled resource only', async () => {
    const [a1, a2, a3, bob] = [await login('alice', 'one'), await login('alice', 'two'), await login('alice', 'three'), await login('bob', 'b')];
    await enable(a1);
    await enable(a2);
    await enable(a2); // §8: enabling twice is not an error
    await send(bob, `<message to="${a1.jid}" type="chat" id="r1"><body>to one</body></message>`);
    await expectStanza(a1, `<message from="${bob.jid}" type="chat" id="r1"><body>to one</body></message>`);
    await expectStanza(a2, carbon('received', a2, `from="${bob.jid}" to="${a1.jid}" type="chat" id="r1"`, 'to one'));
    await sync(bob, d);
    await expectNoStanza(a3, (el) => el.name === 'message', 300); // carbons not enabled there
    await expectNoStanza(a1, anyCarbon('r1'), 100); // §6.2: never to the resource that got the original
  });

  test('§6.2 with RFC 6121 bare-JID delivery: the highest-priority resource gets the message, the other a carbon', async () => {
    const [high, low, bob] = [await login('alice', 'high'), await login('alice', 'low'), await login('bob', 'b')];
    await enable(high);
    await enable(low);
    await becomeAvailable(high, d, 5);
    await becomeAvailable(low, d, 1);
    await send(bob, `<message to="alice@${d}" type="chat" id="bare1"><body>to the bare JID</body></message>`);
    await expectStanza(high, `<message id="bare1" to="alice@${d}"><body>to the bare JID</body></message>`);
    await expectStanza(low, carbon('received', low, `from="${bob.jid}" to="alice@${d}" id="bare1"`, 'to the bare JID'));
    await sync(bob, d);
    await expectNoStanza(high, anyCarbon('bare1'), 300);
  });

  test('§6.2: resources that both received the original get no carbon of it', async () => {
    const [one, two, bob] = [await login('alice', 'same1'), await login('alice', 'same2'), await login('bob', 'b')];
    await enable(one);
    await enable(two);
    await becomeAvailable(one, d, 3);
    await becomeAvailable(two, d, 3);
    await send(bob, `<message to="alice@${d}" type="chat" id="tie1"><body>both</body></message>`);
    await expectStanza(one, `<message id="tie1"><body>both</body></message>`);
    await expectStanza(two, `<message id="tie1"><body>both</body></message>`);
    await sync(bob, d);
    await expectNoStanza(one, anyCarbon('tie1'), 300);
    await expectNoStanza(two, anyCarbon('tie1'), 50);
  });

  test('§6.3: what a resource sends is copied to the other carbon-enabled resources, not back to it', async () => {
    const [sender, other, plain, bob] = [await login('alice', 'sender'), await login('alice', 'other'), await login('alice', 'plain'), await login('bob', 'b')];
    await enable(other);
    // The sender does not need carbons itself (§6.3 "irrespective of whether the sending client has carbons enabled").
    await send(sender, `<message to="${bob.jid}" type="chat" id="s1"><body>outbound</body></message>`);
    await expectStanza(bob, `<message from="${sender.jid}" id="s1"><body>outbound</body></message>`);
    await expectStanza(other, carbon('sent', other, `from="${sender.jid}" to="${bob.jid}" type="chat" id="s1"`, 'outbound'));
    await sync(sender, d);
    await expectNoStanza(sender, anyCarbon('s1'), 300);
    await expectNoStanza(plain, (el) => el.name === 'message', 50);
  });

  test('§7: <private/> with <no-copy/> is not copied, neither as sent nor as received', async () => {
    const [a1, a2, b1, b2] = [await login('alice', 'p1'), await login('alice', 'p2'), await login('bob', 'p1'), await login('bob', 'p2')];
    for (const c of [a1, a2, b1, b2]) await enable(c);
    await send(a1, `<message to="${b1.jid}" type="chat" id="priv1"><body>just for b1</body><private xmlns="${CARBONS}"/><no-copy xmlns="urn:xmpp:hints"/></message>`);
    // Interoperability note of §7: the <private/> element is left in place.
    await expectStanza(b1, `<message id="priv1"><body>just for b1</body><private xmlns="${CARBONS}"/></message>`);
    // A control message after it: once that carbon arrives, a carbon of priv1 would have too.
    await send(a1, `<message to="${b1.jid}" type="chat" id="ctl1"><body>control</body></message>`);
    await expectStanza(a2, anyCarbon('ctl1'));
    await expectStanza(b2, anyCarbon('ctl1'));
    await expectNoStanza(a2, anyCarbon('priv1'), 200);
    await expectNoStanza(b2, anyCarbon('priv1'), 50);
  });

  test('XEP-0334: <no-copy/> alone also keeps a message out of carbons', async () => {
    const [a1, a2, bob] = [await login('alice', 'n1'), await login('alice', 'n2'), await login('bob', 'b')];
    await enable(a2);
    await send(bob, `<message to="${a1.jid}" type="chat" id="nc1"><body>no copies</body><no-copy xmlns="urn:xmpp:hints"/></message>`);
    await send(bob, `<message to="${a1.jid}" type="chat" id="ctl2"><body>control</body></message>`);
    await expectStanza(a2, anyCarbon('ctl2'));
    await expectNoStanza(a2, anyCarbon('nc1'), 200);
  });

  test('§6.1: eligible are chat, normal with a body, and receipts; not groupchat, headline, error or body-less normal', async () => {
    const [a1, a2, bob] = [await login('alice', 'e1'), await login('alice', 'e2'), await login('bob', 'b')];
    await enable(a2);
    const to = a1.jid!.toString();
    const messages: Array<[string, boolean, string]> = [
      ['el-chat', true, `<message to="${to}" type="chat" id="el-chat"><body>x</body></message>`],
      ['el-normal', true, `<message to="${to}" id="el-normal"><body>x</body></message>`],
      ['el-receipt', true, `<message to="${to}" id="el-receipt"><received xmlns="urn:xmpp:receipts" id="abc"/></message>`],
      ['el-state', true, `<message to="${to}" type="chat" id="el-state"><composing xmlns="http://jabber.org/protocol/chatstates"/></message>`],
      ['el-invite', true, `<message to="${to}" id="el-invite"><x xmlns="http://jabber.org/protocol/muc#user"><invite from="${bob.jid}"/></x></message>`],
      ['el-groupchat', false, `<message to="${to}" type="groupchat" id="el-groupchat"><body>x</body></message>`],
      ['el-headline', false, `<message to="${to}" type="headline" id="el-headline"><body>x</body></message>`],
      ['el-error', false, `<message to="${to}" type="error" id="el-error"><error type="cancel"><item-not-found xmlns="${STANZAS}"/></error></message>`],
      ['el-empty', false, `<message to="${to}" id="el-empty"><thread>t</thread></message>`],
      // §6.1.1: a private message from a MUC occupant is already sent to every joined client.
      ['el-mucpm', false, `<message to="${to}" type="chat" id="el-mucpm"><body>x</body><x xmlns="http://jabber.org/protocol/muc#user"/></message>`],
    ];
    for (const [, , xmlText] of messages) await send(bob, xmlText);
    for (const [id] of messages) await expectStanza(a1, `<message id="${id}"/>`);
    for (const [id, eligible] of messages) if (eligible) await expectStanza(a2, anyCarbon(id));
    await expectNoStanza(a2, (el) => messages.some(([id, eligible]) => !eligible && anyCarbon(id)(el)), 300);
  });

  test('§6.1.1: a private message the user sends to a MUC occupant is copied', async () => {
    const [a1, a2, bob] = [await login('alice', 'm1'), await login('alice', 'm2'), await login('bob', 'b')];
    await enable(a2);
    await send(a1, `<message to="${bob.jid}" type="chat" id="pm-out"><body>psst</body><x xmlns="http://jabber.org/protocol/muc#user"/></message>`);
    await expectStanza(a2, carbon('sent', a2, `to="${bob.jid}" id="pm-out"`, 'psst'));
  });

  test('§5: after <disable/> a resource gets no carbons; disabling twice is fine', async () => {
    const [a1, a2, bob] = [await login('alice', 'd1'), await login('alice', 'd2'), await login('bob', 'b')];
    await enable(a2);
    assert.equal((await iq(a2, `<disable xmlns="${CARBONS}"/>`)).attrs.type, 'result');
    assert.equal((await iq(a2, `<disable xmlns="${CARBONS}"/>`)).attrs.type, 'result');
    await send(bob, `<message to="${a1.jid}" type="chat" id="after-disable"><body>x</body></message>`);
    await expectStanza(a1, `<message id="after-disable"/>`);
    await sync(bob, d);
    await expectNoStanza(a2, (el) => el.name === 'message', 300);
  });

  test('§4: another user cannot switch my carbons (not-allowed)', async () => {
    const bob = await login('bob', 'b');
    const reply = await iq(bob, `<enable xmlns="${CARBONS}"/>`, `alice@${d}`);
    assert.equal(reply.attrs.type, 'error', reply.toString());
    assert.ok(reply.getChild('error')?.getChild('not-allowed', STANZAS), reply.toString());
  });
});
