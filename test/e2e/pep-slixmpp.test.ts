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

  test('a XEP-0084 avatar published by slixmpp reaches a slixmpp contact, whose caps the server verified, and the data is fetched by id', async () => {
    await friends('ann', 'ben');
    const ann = await slix('ann');
    const ben = await slix('ben');
    // The server looked up slixmpp's caps (XEP-0115 §6.2) before trusting them.
    await ben.waitForEvent('caps_query', 5000, (e) => String(e.node).endsWith(`#${ben.ver}`));
    await new Promise((r) => setTimeout(r, 200));
    const image = Buffer.from('89504e470d0a1a0a0000000d49484452000000100000001008060000001ff3ff61', 'hex');
    const answer = await ann.request({ op: 'publish_avatar', b64: image.toString('base64'), type: 'image/png', width: 16, height: 16 });
    assert.equal(answer.event, 'result', JSON.stringify(answer));
    const sha1 = createHash('sha1').update(image).digest('hex');
    const ev = await ben.waitForEvent('pubsub_publish', 5000, (e) => e.node === METADATA);
    assert.equal(ev.from, `ann@${d}`);
    assert.equal(ev.id, sha1);
    assert.match(String(ev.xml), new RegExp(`id="${sha1}"`));
    // The owner's own resource asked for metadata notifications too (XEP-0163 §4.3.1).
    await ann.waitForEvent('pubsub_publish', 5000, (e) => e.node === METADATA && e.id === sha1);
    const data = await ben.request({ op: 'retrieve_avatar', jid: `ann@${d}`, id: sha1 });
    assert.equal(data.event, 'avatar', JSON.stringify(data));
    assert.equal(data.b64, image.toString('base64'));
  });

  test('XEP-0163 §4.3.2: a slixmpp contact asking for tunes gets the last one at login; one not asking gets nothing', async () => {
    await friends('cat', 'kim');
    await friends('cat', 'lee');
    const cat = await xmppjs('cat');
    assert.equal((await publish(cat, TUNE, `<item id='song'><tune xmlns='${TUNE}'><title>Greensleeves</title></tune></item>`)).attrs.type, 'result');
    const kim = await slix('kim', [TUNE]);
    const lee = await slix('lee');
    const ev = await kim.waitForEvent('pubsub_publish', 5000, (e) => e.node === TUNE);
    assert.equal(ev.from, `cat@${d}`);
    assert.equal(ev.id, 'song');
    assert.match(String(ev.xml), /Greensleeves/);
    assert.ok(ev.delay, 'a last published item carries a delay stamp');
    await lee.waitForEvent('caps_query', 5000);
    await new Promise((r) => setTimeout(r, 300));
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
