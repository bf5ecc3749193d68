// Stanza routing between local accounts (RFC 6121 §8.5), the server's own iq services
// (disco#info XEP-0030, ping XEP-0199, version XEP-0092, time XEP-0202), the rule that errors are
// never answered with errors (RFC 6120 §8.3.1), and resource conflicts (RFC 6120 §7.7.2.2).
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../helpers/server.ts';
import {
  becomeAvailable,
  connectXmppjs,
  disconnect,
  expectDisconnect,
  expectNoStanza,
  expectStanza,
  send,
  sync,
  type Client,
} from '../helpers/xmppjs.ts';

const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';

describe('routing', () => {
  let server: RunningServer;
  let d: string;
  let open: Client[] = [];

  const login = async (username: string, resource?: string): Promise<Client> => {
    // PLAIN: logins here are scaffolding, and @xmpp/client's SCRAM is slow JavaScript PBKDF2.
    const c = await connectXmppjs({ port: server.ports.c2s, domain: d, username, password: `${username}-secret`, resource, mechanism: 'PLAIN' });
    open.push(c);
    return c;
  };

  before(async () => {
    server = await startServer();
    d = server.domain;
    await Promise.all(['alice', 'bob'].map((u) => server.adduser(u, `${u}-secret`)));
  });
  afterEach(async () => {
    await Promise.all(open.map(disconnect));
    open = [];
  });
  after(async () => {
    await server?.stop();
  });

  // RFC 6121 §8.5.2.1.1 lets a server pick the "most available" resources or all non-negative ones;
  // Parley picks (a): the available resources with the highest non-negative priority.
  describe('RFC 6121 §8.5.2.1.1: a message to the bare JID', () => {
    test('goes only to the resource with the highest priority (5 over 1)', async () => {
      const alice = await login('alice');
      const high = await login('bob', 'high');
      const low = await login('bob', 'low');
      await becomeAvailable(high, d, 5);
      await becomeAvailable(low, d, 1);

      await send(alice, `<message to="bob@${d}" type="chat" id="prio"><body>to the highest</body></message>`);
      await expectStanza(high, `<message from="${alice.jid}" type="chat" id="prio"><body>to the highest</body></message>`);
      await expectNoStanza(low, `<message id="prio"/>`, 500);
    });

    test('never goes to a resource with negative priority', async () => {
      const alice = await login('alice');
      const zero = await login('bob', 'zero');
      const negative = await login('bob', 'negative');
      await becomeAvailable(zero, d, 0);
      await becomeAvailable(negative, d, -1);

      await send(alice, `<message to="bob@${d}" type="chat" id="neg1"><body>not for -1</body></message>`);
      await expectStanza(zero, `<message id="neg1"><body>not for -1</body></message>`);

      // With only the negative-priority resource left, it still does not get bare-JID messages.
      await disconnect(zero);
      await send(alice, `<message to="bob@${d}" type="chat" id="neg2"><body>still not for -1</body></message>`);
      await sync(alice, d);
      await expectNoStanza(negative, `<message id="neg2"/>`, 500);
    });

    test('goes to every resource that shares the highest priority', async () => {
      const alice = await login('alice');
      const one = await login('bob', 'one');
      const two = await login('bob', 'two');
      await becomeAvailable(one, d, 3);
      await becomeAvailable(two, d, 3);
      await send(alice, `<message to="bob@${d}" type="chat" id="tie"><body>both</body></message>`);
      await expectStanza(one, `<message id="tie"><body>both</body></message>`);
      await expectStanza(two, `<message id="tie"><body>both</body></message>`);
    });
  });

  describe('RFC 6121 §8.5.3.2: a full JID with no such resource', () => {
    test('a chat message falls back to the bare-JID rules', async () => {
      const alice = await login('alice');
      const high = await login('bob', 'high');
      const low = await login('bob', 'low');
      await becomeAvailable(high, d, 5);
      await becomeAvailable(low, d, 1);

      await send(alice, `<message to="bob@${d}/gone" type="chat" id="fallback"><body>where are you</body></message>`);
      await expectStanza(high, `<message from="${alice.jid}" type="chat" id="fallback"><body>where are you</body></message>`);
      await expectNoStanza(low, `<message id="fallback"/>`, 500);
    });

    test('an iq get is answered with <service-unavailable/>', async () => {
      const alice = await login('alice');
      const bob = await login('bob', 'here');
      await becomeAvailable(bob, d);
      await send(alice, `<iq type="get" to="bob@${d}/gone" id="iq-gone"><ping xmlns="urn:xmpp:ping"/></iq>`);
      await expectStanza(alice, `
        <iq type="error" id="iq-gone" from="bob@${d}/gone">
          <error type="cancel"><service-unavailable xmlns="${STANZAS}"/></error>
        </iq>`);
      await expectNoStanza(bob, `<iq id="iq-gone"/>`, 300);
    });

    test('an iq get to an existing resource is delivered to it, and its answer comes back', async () => {
      const alice = await login('alice');
      const bob = await login('bob', 'here');
      await send(alice, `<iq type="get" to="${bob.jid}" id="iq-here"><ping xmlns="urn:xmpp:ping"/></iq>`);
      // @xmpp/client answers pings itself (XEP-0199 §4.3).
      await expectStanza(alice, `<iq type="result" id="iq-here" from="${bob.jid}"/>`);
    });
  });

  describe('RFC 6121 §8.5.1: an account that does not exist', () => {
    test('an iq get to its bare JID is answered with <service-unavailable/>, not by the server', async () => {
      const alice = await login('alice');
      await send(alice, `<iq type="get" to="nobody@${d}" id="no-account"><ping xmlns="urn:xmpp:ping"/></iq>`);
      await expectStanza(alice, `
        <iq type="error" id="no-account" from="nobody@${d}">
          <error type="cancel"><service-unavailable xmlns="${STANZAS}"/></error>
        </iq>`);
    });

    test('an iq get to one of its full JIDs is answered with <service-unavailable/>', async () => {
      const alice = await login('alice');
      await send(alice, `<iq type="get" to="nobody@${d}/x" id="no-account-full"><ping xmlns="urn:xmpp:ping"/></iq>`);
      await expectStanza(alice, `
        <iq type="error" id="no-account-full" from="nobody@${d}/x">
          <error type="cancel"><service-unavailable xmlns="${STANZAS}"/></error>
        </iq>`);
    });
  });

  describe('iq to the server', () => {
    test('an unknown namespace is answered with <service-unavailable/>', async () => {
      const alice = await login('alice');
      // RFC 6120 §8.4
      await send(alice, `<iq type="get" to="${d}" id="unknown-ns"><query xmlns="urn:example:no-such-protocol"/></iq>`);
      await expectStanza(alice, `
        <iq type="error" id="unknown-ns" from="${d}">
          <error type="cancel"><service-unavailable xmlns="${STANZAS}"/></error>
        </iq>`);
    });

    test('disco#info names the server and lists disco#info, ping, version and time', async () => {
      const alice = await login('alice');
      await send(alice, `<iq type="get" to="${d}" id="disco"><query xmlns="http://jabber.org/protocol/disco#info"/></iq>`);
      // XEP-0030 §3.1: the entity's identity and features; the service itself must list disco#info.
      await expectStanza(alice, `
        <iq type="result" id="disco" from="${d}">
          <query xmlns="http://jabber.org/protocol/disco#info">
            <identity category="server" type="im"/>
            <feature var="http://jabber.org/protocol/disco#info"/>
            <feature var="urn:xmpp:ping"/>
            <feature var="jabber:iq:version"/>
            <feature var="urn:xmpp:time"/>
          </query>
        </iq>`);
    });

    test('ping (XEP-0199 §4.2) is answered with an empty result', async () => {
      const alice = await login('alice');
      await send(alice, `<iq type="get" to="${d}" id="ping"><ping xmlns="urn:xmpp:ping"/></iq>`);
      const pong = await expectStanza(alice, `<iq type="result" id="ping" from="${d}" to="${alice.jid}"/>`);
      assert.equal(pong.getChildElements().length, 0, `a pong carries no payload: ${pong}`);
    });

    test('version (XEP-0092) names the software and its version', async () => {
      const alice = await login('alice');
      await send(alice, `<iq type="get" to="${d}" id="version"><query xmlns="jabber:iq:version"/></iq>`);
      const reply = await expectStanza(alice, `<iq type="result" id="version" from="${d}"><query xmlns="jabber:iq:version"><name/><version/></query></iq>`);
      const q = reply.getChild('query', 'jabber:iq:version')!;
      assert.match(q.getChildText('name') ?? '', /\S/, `empty <name/>: ${reply}`);
      assert.match(q.getChildText('version') ?? '', /\S/, `empty <version/>: ${reply}`);
    });

    test('time (XEP-0202) gives UTC now and a zone offset', async () => {
      const alice = await login('alice');
      await send(alice, `<iq type="get" to="${d}" id="time"><time xmlns="urn:xmpp:time"/></iq>`);
      const reply = await expectStanza(alice, `<iq type="result" id="time" from="${d}"><time xmlns="urn:xmpp:time"><tzo/><utc/></time></iq>`);
      const t = reply.getChild('time', 'urn:xmpp:time')!;
      // XEP-0082 formats: tzo is [+-]hh:mm or Z; utc is a dateTime in UTC (ending in Z).
      assert.match(t.getChildText('tzo') ?? '', /^([+-]\d{2}:\d{2}|Z)$/, `tzo: ${reply}`);
      const utc = t.getChildText('utc') ?? '';
      assert.match(utc, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, `utc: ${reply}`);
      assert.ok(Math.abs(Date.parse(utc) - Date.now()) < 10_000, `server time ${utc} is far from now`);
    });
  });

  describe('RFC 6120 §8.3.1: an error stanza is never answered with an error', () => {
    test('errors to a missing account, a missing resource and the server get no reply', async () => {
      const alice = await login('alice');
      const condition = `<error type="cancel"><item-not-found xmlns="${STANZAS}"/></error>`;
      // A request to such an address does get an error back, so the check below can fail.
      await send(alice, `<iq type="get" to="bob@${d}/gone" id="control"><ping xmlns="urn:xmpp:ping"/></iq>`);
      await expectStanza(alice, `<iq type="error" id="control"><error><service-unavailable xmlns="${STANZAS}"/></error></iq>`);

      await send(alice, `<message type="error" to="nobody@${d}" id="e1">${condition}</message>`);
      await send(alice, `<message type="error" to="bob@${d}/gone" id="e2">${condition}</message>`);
      await send(alice, `<message type="error" to="bob@${d}" id="e3">${condition}</message>`);
      await send(alice, `<iq type="error" to="nobody@${d}" id="e4">${condition}</iq>`);
      await send(alice, `<iq type="error" to="bob@${d}/gone" id="e5">${condition}</iq>`);
      await send(alice, `<iq type="error" to="${d}" id="e6">${condition}</iq>`);
      await send(alice, `<presence type="error" to="nobody@${d}" id="e7">${condition}</presence>`);
      await send(alice, `<message type="error" to="${d}" id="e8">${condition}</message>`);
      await sync(alice, d);
      await expectNoStanza(alice, (el) => /^e\d$/.test(el.attrs.id ?? ''), 500);
    });

    test('an error from one client is delivered to the other, not bounced', async () => {
      const alice = await login('alice');
      const bob = await login('bob', 'desk');
      await send(bob, `<message type="error" to="${alice.jid}" id="err-delivered"><error type="cancel"><item-not-found xmlns="${STANZAS}"/></error></message>`);
      await expectStanza(alice, `<message type="error" from="${bob.jid}" id="err-delivered"><error><item-not-found xmlns="${STANZAS}"/></error></message>`);
      await sync(bob, d);
      await expectNoStanza(bob, `<message id="err-delivered"/>`, 300);
    });
  });

  test('RFC 6120 §7.7.2.2: binding a resource in use disconnects the old session with <conflict/>', async () => {
    const alice = await login('alice');
    const first = await login('bob', 'phone');
    const closed = expectDisconnect(first, 5000);
    const second = await login('bob', 'phone');
    assert.equal(second.jid?.toString(), `bob@${d}/phone`);
    assert.equal(await closed, 'conflict');

    // The full JID now belongs to the new session.
    await send(alice, `<message to="bob@${d}/phone" type="chat" id="after-conflict"><body>new phone</body></message>`);
    await expectStanza(second, `<message id="after-conflict"><body>new phone</body></message>`);
  });
});
