// XEP-0352 client state indication: an inactive client is spared a presence flood (only the
// latest presence of each contact arrives when it becomes active again), yet gets a chat message
// at once, after whatever was held (order kept); chat states wait and are squashed too.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { RawXmpp } from '../helpers/raw.ts';
import { streamElements } from '../helpers/stream-elements.ts';
import { connectXmppjs, disconnect, expectNoStanza, expectStanza, received, send, sync, type Client } from '../helpers/xmppjs.ts';

const NS_CSI = 'urn:xmpp:csi:0';
const FLOOD = 25;

describe('XEP-0352 client state indication', () => {
  let server: RunningServer;
  const clients: Client[] = [];
  const raws: RawXmpp[] = [];
  let d: string;

  before(async () => {
    server = await startServer();
    d = server.domain;
    await Promise.all(['alice', 'bob', 'carol'].map((u) => server.adduser(u, `${u}-secret`)));
  });
  after(async () => {
    for (const r of raws) r.destroy();
    await Promise.all(clients.map(disconnect));
    await server?.stop();
  });

  const login = async (user: string, resource: string) => {
    const c = await connectXmppjs({ port: server.ports.c2s, domain: d, username: user, password: `${user}-secret`, resource });
    clients.push(c);
    return c;
  };
  const presencesFrom = (c: Client, from: string) => received(c).filter((s) => s.name === 'presence' && s.attrs.from === from);

  test('§3: <csi/> is a stream feature after authentication', async () => {
    const raw = await RawXmpp.login({ port: server.ports.c2s, domain: d, username: 'bob', password: 'bob-secret' });
    raws.push(raw);
    const features = streamElements(raw.text).find((e) => e.name === 'stream:features');
    assert.ok(features?.getChild('csi', NS_CSI), `${features}`);
  });

  test('a presence flood to an inactive client arrives as one presence, the latest, on <active/>', async () => {
    const alice = await login('alice', 'flood');
    const bob = await login('bob', 'phone');
    const bobJid = bob.jid!.toString();
    const aliceJid = alice.jid!.toString();

    // Control: while active, a directed presence is delivered at once.
    await send(alice, `<presence to='${bobJid}'><status>hello</status></presence>`);
    await expectStanza(bob, `<presence from='${aliceJid}'><status>hello</status></presence>`);
    const before = presencesFrom(bob, aliceJid).length;

    await send(bob, `<inactive xmlns='${NS_CSI}'/>`);
    await sync(bob, d);
    for (let i = 0; i < FLOOD; i++) await send(alice, `<presence to='${bobJid}'><status>update ${i}</status></presence>`);
    await sync(alice, d);
    await expectNoStanza(bob, `<presence from='${aliceJid}'/>`, 500);
    assert.equal(presencesFrom(bob, aliceJid).length, before, 'nothing of the flood while inactive');

    await send(bob, `<active xmlns='${NS_CSI}'/>`);
    await sync(bob, d); // §5: flushed before the next request is answered
    const after = presencesFrom(bob, aliceJid).slice(before);
    assert.equal(after.length, 1, `expected one squashed presence, got:\n${after.map(String).join('\n')}`);
    assert.equal(after[0].getChildText('status'), `update ${FLOOD - 1}`);
  });

  test('an inactive client gets a chat message at once, after what was held; chat states wait', async () => {
    const alice = await login('alice', 'chat');
    const carol = await login('carol', 'other');
    const bob = await login('bob', 'tablet');
    const bobJid = bob.jid!.toString();
    const aliceJid = alice.jid!.toString();

    await send(bob, `<inactive xmlns='${NS_CSI}'/>`);
    await sync(bob, d);
    await send(carol, `<presence to='${bobJid}'><show>away</show></presence>`);
    await send(alice, `<message to='${bobJid}' type='chat' id='typing'><composing xmlns='http://jabber.org/protocol/chatstates'/></message>`);
    await sync(carol, d);
    await sync(alice, d);
    await expectNoStanza(bob, (el) => el.attrs.id === 'typing' || (el.name === 'presence' && el.attrs.from === carol.jid!.toString()), 400);

    await send(alice, `<message to='${bobJid}' type='chat' id='urgent'><body>call me</body></message>`);
    const msg = await expectStanza(bob, `<message id='urgent' from='${aliceJid}'><body>call me</body></message>`);
    // Order kept: what was held came first.
    const all = received(bob);
    const iMsg = all.indexOf(msg);
    const iPresence = all.findIndex((s) => s.name === 'presence' && s.attrs.from === carol.jid!.toString());
    const iTyping = all.findIndex((s) => s.attrs.id === 'typing');
    assert.ok(iPresence >= 0 && iPresence < iMsg, 'the held presence was flushed before the message');
    assert.ok(iTyping >= 0 && iTyping < iMsg, 'the held chat state was flushed before the message');

    // Still inactive: new chat states are held again, and only the latest per sender arrives.
    await send(alice, `<message to='${bobJid}' type='chat' id='cs1'><composing xmlns='http://jabber.org/protocol/chatstates'/></message>`);
    await send(alice, `<message to='${bobJid}' type='chat' id='cs2'><paused xmlns='http://jabber.org/protocol/chatstates'/></message>`);
    await sync(alice, d);
    await expectNoStanza(bob, (el) => el.attrs.id === 'cs1' || el.attrs.id === 'cs2', 300);
    await send(bob, `<active xmlns='${NS_CSI}'/>`);
    await sync(bob, d);
    assert.equal(received(bob).filter((s) => s.attrs.id === 'cs1').length, 0, 'superseded chat state squashed');
    assert.equal(received(bob).filter((s) => s.attrs.id === 'cs2').length, 1);

    // Active again: everything flows at once.
    await send(alice, `<presence to='${bobJid}'><status>now</status></presence>`);
    await expectStanza(bob, `<presence from='${aliceJid}'><status>now</status></presence>`);
  });
});
