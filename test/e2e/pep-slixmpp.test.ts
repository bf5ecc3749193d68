// PEP with slixmpp as the second implementation: its own XEP-0115 caps (hash computed by slixmpp,
// verified by the server) drive XEP-0163 notifications; XEP-0084 avatars published with slixmpp's
// plugin reach a contact and can be fetched by id; XEP-0060 publish-options forms built by slixmpp
// are honoured (an open OMEMO-style node is readable by a stranger, a presence node is not).
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { addUsers } from '../helpers/accounts.ts';
import { skipUnless } from '../helpers/services.ts';
import { becomeAvailable, connectXmppjs, disconnect, type Client } from '../helpers/xmppjs.ts';
import { befriend, publish } from '../helpers/pep.ts';
import { startSlixPep, type SlixPep } from '../helpers/slix-pep.ts';

const TUNE = 'http://jabber.org/protocol/tune';
const METADATA = 'urn:xmpp:avatar:metadata';

describe('PEP (XEP-0163) with slixmpp', { skip: skipUnless('slixmpp') }, () => {
  let server: RunningServer;
  let d: string;
  let peers: SlixPep[] = [];
  let clients: Client[] = [];
  const users = ['ann', 'ben', 'cat', 'kim', 'lee', 'max'];

  const xmppjs = async (username: string) => {
    const c = await connectXmppjs({ port: server.ports.c2s, domain: d, username, password: `${username}-secret`, mechanism: 'PLAIN' });
    clients.push(c);
    return c;
  };
  const slix = async (username: string, notify: string[] = []) => {
    const p = await startSlixPep({ port: server.ports.c2s, jid: `${username}@${d}`, password: `${username}-secret`, notify });
    peers.push(p);
    return p;
  };
  /** Mutual presence subscription, made with @xmpp/client before the slixmpp peers log in. */
  const friends = async (a: string, b: string) => {
    const [x, y] = [await xmppjs(a), await xmppjs(b)];
    await becomeAvailable(x, d);
    await becomeAvailable(y, d);
    await befriend(x, y, d);
    await Promise.all([disconnect(x), disconnect(y)]);
  };

  before(async () => {
    server = await startServer();
    d = server.domain;
    await addUsers(server, users);
  });
  afterEach(async () => {
    await Promise.all([...peers.map((p) => p.quit()), ...clients.map(disconnect)]);
    peers = [];
    clients = [];
  });
  after(async () => {
    await server?.stop();
  });

  test('XEP-0084 avatars published by slixmpp reach a slixmpp contact, whose caps the server verified, and the data is fetched by id', async () => {
    await friends('ann', 'ben');
    const ann = await slix('ann');
    // First slixmpp peer on a fresh server: its verification string is unknown, so the server asks
    // (XEP-0115 §6.2) before trusting it; later peers with the same caps are served from the cache.
    await ann.waitForEvent('caps_query', 5000, (e) => String(e.node).endsWith(`#${ann.ver}`));
    const png = (n: number) => Buffer.from(`89504e470d0a1a0a0000000d4948445200000010000000100806000000${n.toString(16).padStart(2, '0')}f3ff61`, 'hex');
    const publishAvatar = async (image: Buffer) => {
      const answer = await ann.request({ op: 'publish_avatar', b64: image.toString('base64'), type: 'image/png', width: 16, height: 16 });
      assert.equal(answer.event, 'result', JSON.stringify(answer));
      return createHash('sha1').update(image).digest('hex');
    };
    const first = await publishAvatar(png(1));
    // The owner's own resource asked for metadata notifications too (XEP-0163 §4.3.1).
    await ann.waitForEvent('pubsub_publish', 5000, (e) => e.node === METADATA && e.id === first);
    // ben logs in after: the last metadata item comes with his presence (§4.3.2) ...
    const ben = await slix('ben');
    const last = await ben.waitForEvent('pubsub_publish', 5000, (e) => e.node === METADATA);
    assert.deepEqual([last.from, last.id], [`ann@${d}`, first]);
    // ... and a new avatar reaches him live.
    const second = await publishAvatar(png(2));
    const ev = await ben.waitForEvent('pubsub_publish', 5000, (e) => e.node === METADATA && e.id === second);
    assert.equal(ev.from, `ann@${d}`);
    assert.match(String(ev.xml), new RegExp(`id="${second}"`));
    assert.equal(ev.delay, null);
    const data = await ben.request({ op: 'retrieve_avatar', jid: `ann@${d}`, id: second });
    assert.equal(data.event, 'avatar', JSON.stringify(data));
    assert.equal(data.b64, png(2).toString('base64'));
  });

  test('XEP-0163 §4.3.2: a slixmpp contact asking for tunes gets the last one at login; one not asking gets nothing', async () => {
    await friends('cat', 'kim');
    await friends('cat', 'lee');
    const cat = await xmppjs('cat');
    assert.equal((await publish(cat, TUNE, `<item id='song'><tune xmlns='${TUNE}'><title>Greensleeves</title></tune></item>`)).attrs.type, 'result');
    assert.equal((await publish(cat, METADATA, `<item id='none'><metadata xmlns='${METADATA}'/></item>`)).attrs.type, 'result');
    const kim = await slix('kim', [TUNE]);
    const lee = await slix('lee');
    const ev = await kim.waitForEvent('pubsub_publish', 5000, (e) => e.node === TUNE);
    assert.equal(ev.from, `cat@${d}`);
    assert.equal(ev.id, 'song');
    assert.match(String(ev.xml), /Greensleeves/);
    assert.ok(ev.delay, 'a last published item carries a delay stamp');
    // lee's caps are processed (he gets the avatar metadata he asks for) but hold no tune interest.
    await lee.waitForEvent('pubsub_publish', 5000, (e) => e.node === METADATA);
    await kim.waitForEvent('pubsub_publish', 5000, (e) => e.node === METADATA);
    assert.equal(lee.events.filter((e) => e.event === 'pubsub_publish' && e.node === TUNE).length, 0, lee.transcript());
  });

  test('XEP-0060 §7.1.5 options from slixmpp: an open node is readable by a stranger, a presence node is not', async () => {
    const max = await slix('max');
    const stranger = await slix('ann');
    const bundle = `<bundle xmlns='eu.siacs.conversations.axolotl'><identityKey>IK</identityKey></bundle>`;
    const r = await max.request({ op: 'publish', node: 'eu.siacs.conversations.axolotl.bundles:7', id: 'current', xml: bundle, options: { 'pubsub#access_model': 'open' } });
    assert.equal(r.event, 'result', JSON.stringify(r));
    const got = await stranger.request({ op: 'items', jid: `max@${d}`, node: 'eu.siacs.conversations.axolotl.bundles:7' });
    assert.equal(got.event, 'items', JSON.stringify(got));
    assert.deepEqual((got.items as Array<{ id: string }>).map((i) => i.id), ['current']);
    // A mismatching precondition on the same node.
    const bad = await max.request({ op: 'publish', node: 'eu.siacs.conversations.axolotl.bundles:7', id: 'current', xml: bundle, options: { 'pubsub#access_model': 'whitelist' } });
    assert.deepEqual([bad.event, bad.condition, bad.pubsub_condition], ['iq_error', 'conflict', 'precondition-not-met']);
    await max.request({ op: 'publish', node: TUNE, xml: `<tune xmlns='${TUNE}'/>` });
    const denied = await stranger.request({ op: 'items', jid: `max@${d}`, node: TUNE });
    assert.deepEqual([denied.event, denied.condition, denied.pubsub_condition], ['iq_error', 'not-authorized', 'presence-subscription-required']);
  });
});
