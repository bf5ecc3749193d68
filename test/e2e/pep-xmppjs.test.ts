// XEP-0163 PEP with @xmpp/client peers against a real server: owner publish / retrieve / retract
// (XEP-0060 §7.1, §6.5, §7.2), the publish errors (§7.1.3.4 payload too big, §7.1.5 preconditions),
// access models for strangers (§6.5.9), notifications filtered by verified XEP-0115 caps
// (XEP-0163 §4.2-§4.3), owner operations (§8), OMEMO's open nodes, bookmarks (XEP-0402 §5.3),
// vCard4 (XEP-0292) and the account's disco#info.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { addUsers } from '../helpers/accounts.ts';
import { becomeAvailable, connectXmppjs, disconnect, expectNoStanza, expectStanza, send, sync, type Client } from '../helpers/xmppjs.ts';
import { advertiseCaps, befriend, expectCapsQuery, iq, itemIds, items, publish, pubsubErrorOf, PUBSUB, PUBSUB_EVENT, PUBSUB_OWNER } from '../helpers/pep.ts';

const TUNE = 'http://jabber.org/protocol/tune';
const tune = (id: string | null, title: string) => `<item${id ? ` id='${id}'` : ''}><tune xmlns='${TUNE}'><title>${title}</title></tune></item>`;
const isEvent = (node: string, pred: (items: import('ltx').Element) => boolean = () => true) => (el: import('ltx').Element) =>
  el.name === 'message' && el.attrs.type === 'headline' && (el.getChild('event', PUBSUB_EVENT)?.getChildElements() ?? []).some((x) => x.attrs.node === node && pred(x));

describe('PEP (XEP-0163) with @xmpp/client', () => {
  let server: RunningServer;
  let d: string;
  let open: Client[] = [];
  const users = ['owner1', 'owner2', 'owner3', 'stranger', 'alice', 'bob', 'carol', 'dave', 'olga', 'bea', 'vera', 'oscar', 'sam', 'pat'];

  const login = async (username: string, resource?: string): Promise<Client> => {
    const c = await connectXmppjs({ port: server.ports.c2s, domain: d, username, password: `${username}-secret`, resource, mechanism: 'PLAIN' });
    open.push(c);
    return c;
  };

  before(async () => {
    server = await startServer({ config: { modules: { pep: { max_payload_bytes: 2048 } } } });
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

  test('XEP-0060 §7.1, §6.5, §7.2: the owner publishes, retrieves all / newest / by id, and retracts', async () => {
    const o = await login('owner1');
    const first = await publish(o, TUNE, tune('a', 'A'), { 'pubsub#max_items': '10' });
    assert.equal(first.attrs.type, 'result', first.toString());
    assert.equal(first.getChild('pubsub', PUBSUB)?.getChild('publish')?.getChild('item')?.attrs.id, 'a');
    for (const id of ['b', 'c']) assert.equal((await publish(o, TUNE, tune(id, id.toUpperCase()))).attrs.type, 'result');
    // §7.1.2: without an id the service makes one and says which.
    const generated = (await publish(o, TUNE, tune(null, 'D'))).getChild('pubsub', PUBSUB)?.getChild('publish')?.getChild('item')?.attrs.id;
    assert.ok(generated);
    // Re-publishing an id replaces the item and makes it the newest (§7.1.3 note, §12.1).
    await publish(o, TUNE, tune('a', 'A2'));
    assert.deepEqual(itemIds(await items(o, undefined, TUNE)), ['b', 'c', generated, 'a']);
    assert.deepEqual(itemIds(await items(o, undefined, TUNE, '', ` max_items='2'`)), [generated, 'a']);
    const byId = await items(o, undefined, TUNE, `<item id='c'/>`);
    assert.deepEqual(itemIds(byId), ['c']);
    assert.equal(byId.getChild('pubsub', PUBSUB)?.getChild('items')?.getChild('item')?.getChild('tune', TUNE)?.getChildText('title'), 'C');
    const r = await iq(o, 'set', `<pubsub xmlns='${PUBSUB}'><retract node='${TUNE}'><item id='c'/></retract></pubsub>`);
    assert.equal(r.attrs.type, 'result', r.toString());
    assert.deepEqual(itemIds(await items(o, undefined, TUNE)), ['b', generated, 'a']);
    const again = await iq(o, 'set', `<pubsub xmlns='${PUBSUB}'><retract node='${TUNE}'><item id='c'/></retract></pubsub>`);
    assert.deepEqual(pubsubErrorOf(again), ['item-not-found', undefined]);
    // §6.5.9.11 / §7.1.3.1: unknown node, and nobody but the owner publishes.
    assert.deepEqual(pubsubErrorOf(await items(o, undefined, 'urn:none')), ['item-not-found', undefined]);
    const s = await login('stranger');
    assert.deepEqual(pubsubErrorOf(await iq(s, 'set', `<pubsub xmlns='${PUBSUB}'><publish node='${TUNE}'>${tune('x', 'X')}</publish></pubsub>`, `owner1@${d}`)), ['forbidden', undefined]);
  });

  test('§7.1.3.4: a payload over the limit gets not-acceptable + payload-too-big and nothing is stored', async () => {
    const o = await login('owner2');
    const big = `<item id='big'><blob xmlns='urn:parley:test'>${'x'.repeat(3000)}</blob></item>`;
    const r = await publish(o, 'urn:parley:big', big);
    assert.deepEqual(pubsubErrorOf(r), ['not-acceptable', 'payload-too-big']);
    assert.deepEqual(pubsubErrorOf(await items(o, undefined, 'urn:parley:big')), ['item-not-found', undefined]);
    // A small one on the same node works, so the limit is what refused the first.
    assert.equal((await publish(o, 'urn:parley:big', `<item id='small'><blob xmlns='urn:parley:test'>x</blob></item>`)).attrs.type, 'result');
    assert.deepEqual(itemIds(await items(o, undefined, 'urn:parley:big')), ['small']);
  });

  test('§7.1.5: publish-options that do not match the node fail with conflict + precondition-not-met', async () => {
    const o = await login('owner3');
    assert.equal((await publish(o, 'urn:parley:pre', tune('1', 'one'))).attrs.type, 'result'); // default: presence access
    const r = await publish(o, 'urn:parley:pre', tune('2', 'two'), { 'pubsub#access_model': 'open' });
    assert.equal(r.getChild('error')?.attrs.type, 'cancel');
    assert.deepEqual(pubsubErrorOf(r), ['conflict', 'precondition-not-met']);
    assert.deepEqual(itemIds(await items(o, undefined, 'urn:parley:pre')), ['1']);
    // A matching precondition (booleans in either lexical form) publishes.
    assert.equal((await publish(o, 'urn:parley:pre', tune('3', 'three'), { 'pubsub#access_model': 'presence', 'pubsub#persist_items': '1' })).attrs.type, 'result');
  });

  test('XEP-0384 bundles published with access_model=open are readable by a non-contact; presence nodes are not', async () => {
    const alice = await login('alice');
    const stranger = await login('stranger');
    const devicelist = 'eu.siacs.conversations.axolotl.devicelist';
    const bundle = 'eu.siacs.conversations.axolotl.bundles:31415';
    const open = { 'pubsub#access_model': 'open' };
    assert.equal((await publish(alice, devicelist, `<item id='current'><list xmlns='eu.siacs.conversations.axolotl'><device id='31415'/></list></item>`, open)).attrs.type, 'result');
    const b = `<item id='current'><bundle xmlns='eu.siacs.conversations.axolotl'><signedPreKeyPublic signedPreKeyId='1'>BASE64</signedPreKeyPublic><identityKey>KEY</identityKey><prekeys><preKeyPublic preKeyId='1'>PK1</preKeyPublic></prekeys></bundle></item>`;
    assert.equal((await publish(alice, bundle, b, { ...open, 'pubsub#max_items': 'max' })).attrs.type, 'result');
    const got = await items(stranger, `alice@${d}`, bundle);
    assert.equal(got.attrs.type, 'result', got.toString());
    assert.equal(got.getChild('pubsub', PUBSUB)?.getChild('items')?.getChild('item')?.getChild('bundle', 'eu.siacs.conversations.axolotl')?.getChildText('identityKey'), 'KEY');
    assert.deepEqual(itemIds(await items(stranger, `alice@${d}`, devicelist)), ['current']);
    // §6.5.9.6: the default (presence) access model keeps strangers out.
    await publish(alice, TUNE, tune('now', 'secret song'));
    assert.deepEqual(pubsubErrorOf(await items(stranger, `alice@${d}`, TUNE)), ['not-authorized', 'presence-subscription-required']);
    // And whitelist nodes (§6.5.9.8).
    await publish(alice, 'urn:parley:diary', tune('1', 'private'), { 'pubsub#access_model': 'whitelist' });
    assert.deepEqual(pubsubErrorOf(await items(stranger, `alice@${d}`, 'urn:parley:diary')), ['not-allowed', 'closed-node']);
    // XEP-0060 §5.2: node discovery shows each requester the nodes it may read.
    const nodesFor = async (c: Client) => (await iq(c, 'get', `<query xmlns='http://jabber.org/protocol/disco#items'/>`, `alice@${d}`)).getChild('query', 'http://jabber.org/protocol/disco#items')?.getChildren('item').map((i) => i.attrs.node);
    assert.deepEqual(await nodesFor(stranger), [bundle, devicelist]);
    assert.deepEqual(await nodesFor(alice), [bundle, devicelist, TUNE, 'urn:parley:diary']);
    // §5.3 node info and §5.5 node items.
    const info = await iq(stranger, 'get', `<query xmlns='http://jabber.org/protocol/disco#info' node='${bundle}'/>`, `alice@${d}`);
    assert.equal(info.getChild('query', 'http://jabber.org/protocol/disco#info')?.getChild('identity')?.attrs.type, 'leaf', info.toString());
    const nodeItems = await iq(stranger, 'get', `<query xmlns='http://jabber.org/protocol/disco#items' node='${bundle}'/>`, `alice@${d}`);
    assert.deepEqual(nodeItems.getChild('query', 'http://jabber.org/protocol/disco#items')?.getChildren('item').map((i) => i.attrs.name), ['current']);
    assert.equal(pubsubErrorOf(await iq(stranger, 'get', `<query xmlns='http://jabber.org/protocol/disco#info' node='${TUNE}'/>`, `alice@${d}`))[0], 'item-not-found');
  });

  test('XEP-0163 §4.2/§4.3: notifications reach contacts whose verified caps ask for the node, and only them', async () => {
    const bob = await login('bob');
    const carol = await login('carol');
    const dave = await login('dave');
    const olga = await login('olga', 'phone');
    for (const c of [bob, carol, dave, olga]) await becomeAvailable(c, d);
    await befriend(olga, bob, d);
    await befriend(olga, carol, d);
    await befriend(olga, dave, d);
    assert.equal((await publish(olga, TUNE, tune('first', 'First'))).attrs.type, 'result');

    // Caps arrive with presence: bob wants tunes, carol does not, dave lies about his hash.
    const bobCaps = advertiseCaps(bob, [`${TUNE}+notify`]);
    const carolCaps = advertiseCaps(carol, ['urn:xmpp:avatar:metadata+notify']);
    const daveCaps = advertiseCaps(dave, [`${TUNE}+notify`], { lie: true });
    await send(bob, `<presence>${bobCaps.c}</presence>`);
    await send(carol, `<presence>${carolCaps.c}</presence>`);
    await send(dave, `<presence>${daveCaps.c}</presence>`);
    // §4.3.2: bob's caps, once verified, bring him the last published item, from the bare JID.
    const last = await expectStanza(bob, isEvent(TUNE, (x) => x.getChild('item')?.attrs.id === 'first'));
    assert.equal(last.attrs.from, `olga@${d}`);
    assert.ok(last.getChild('delay', 'urn:xmpp:delay'), 'a last published item carries its delay');
    await expectCapsQuery(carolCaps);
    await expectCapsQuery(daveCaps);

    // A live publish: bob gets it, carol (no +notify) and dave (unverifiable caps) do not.
    await publish(olga, TUNE, tune('second', 'Second'));
    const live = await expectStanza(bob, isEvent(TUNE, (x) => x.getChild('item')?.attrs.id === 'second'));
    assert.equal(live.getChild('event', PUBSUB_EVENT)?.getChild('items')?.getChild('item')?.getChild('tune', TUNE)?.getChildText('title'), 'Second');
    assert.equal(live.getChild('delay', 'urn:xmpp:delay'), undefined);
    await expectNoStanza(carol, isEvent(TUNE), 300);
    await expectNoStanza(dave, isEvent(TUNE), 0);

    // Retract with notify (§7.2.2.1) reaches bob as <retract/>.
    await iq(olga, 'set', `<pubsub xmlns='${PUBSUB}'><retract node='${TUNE}' notify='true'><item id='second'/></retract></pubsub>`);
    await expectStanza(bob, isEvent(TUNE, (x) => x.getChild('retract')?.attrs.id === 'second'));
    // A subscribed contact may read the presence-access node (XEP-0060 §6.5.2); max_items 1 kept only
    // 'second', now retracted, so the node is empty (§6.5.9.12: an empty result, not an error).
    const read = await items(carol, `olga@${d}`, TUNE);
    assert.equal(read.attrs.type, 'result', read.toString());
    assert.deepEqual(itemIds(read), []);
  });

  test('XEP-0163 §4.3.1: the owner\'s own resources with +notify get notifications and last items', async () => {
    const one = await login('bea', 'one');
    const features = [`${TUNE}+notify`, 'urn:parley:test:bea'];
    const caps = advertiseCaps(one, features);
    await send(one, `<presence>${caps.c}</presence>`);
    await expectCapsQuery(caps);
    await sync(one, d);
    await publish(one, TUNE, tune('x', 'mine'));
    await expectStanza(one, isEvent(TUNE, (x) => x.getChild('item')?.attrs.id === 'x'));
    // A second resource coming online gets the last item. Its caps are the same verification
    // string, verified already: XEP-0115 §5.4 lets the server use its cache instead of asking again.
    const two = await login('bea', 'two');
    const caps2 = advertiseCaps(two, features);
    await send(two, `<presence>${caps2.c}</presence>`);
    const m = await expectStanza(two, isEvent(TUNE, (x) => x.getChild('item')?.attrs.id === 'x'));
    assert.equal(m.attrs.to, String(two.jid));
    assert.equal(caps2.queries.length, 0);
  });

  test('§8: create with configure, configure get/set, default, purge and delete (with notification)', async () => {
    const o = await login('oscar');
    const caps = advertiseCaps(o, ['urn:parley:cfg+notify']);
    await send(o, `<presence>${caps.c}</presence>`);
    await expectCapsQuery(caps);
    const form = (fields: Record<string, string>) =>
      `<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'><value>${PUBSUB}#node_config</value></field>${Object.entries(fields).map(([k, v]) => `<field var='${k}'><value>${v}</value></field>`).join('')}</x>`;
    const created = await iq(o, 'set', `<pubsub xmlns='${PUBSUB}'><create node='urn:parley:cfg'/><configure>${form({ 'pubsub#max_items': '5', 'pubsub#access_model': 'open' })}</configure></pubsub>`);
    assert.equal(created.attrs.type, 'result', created.toString());
    assert.deepEqual(pubsubErrorOf(await iq(o, 'set', `<pubsub xmlns='${PUBSUB}'><create node='urn:parley:cfg'/></pubsub>`)), ['conflict', undefined]);
    const got = await iq(o, 'get', `<pubsub xmlns='${PUBSUB_OWNER}'><configure node='urn:parley:cfg'/></pubsub>`);
    const value = (el: import('ltx').Element, v: string) => el.getChild('pubsub', PUBSUB_OWNER)?.getChildElements()[0]?.getChild('x', 'jabber:x:data')?.getChildren('field').find((f) => f.attrs.var === v)?.getChildText('value');
    assert.equal(value(got, 'pubsub#max_items'), '5');
    assert.equal(value(got, 'pubsub#access_model'), 'open');
    assert.equal((await iq(o, 'set', `<pubsub xmlns='${PUBSUB_OWNER}'><configure node='urn:parley:cfg'>${form({ 'pubsub#max_items': '2' })}</configure></pubsub>`)).attrs.type, 'result');
    assert.deepEqual(pubsubErrorOf(await iq(o, 'set', `<pubsub xmlns='${PUBSUB_OWNER}'><configure node='urn:parley:cfg'>${form({ 'pubsub#access_model': 'authorize' })}</configure></pubsub>`)), ['not-acceptable', undefined]);
    assert.equal(value(await iq(o, 'get', `<pubsub xmlns='${PUBSUB_OWNER}'><default/></pubsub>`), 'pubsub#access_model'), 'presence');
    for (const id of ['1', '2', '3']) await publish(o, 'urn:parley:cfg', tune(id, id));
    assert.deepEqual(itemIds(await items(o, undefined, 'urn:parley:cfg')), ['2', '3']);
    assert.equal((await iq(o, 'set', `<pubsub xmlns='${PUBSUB_OWNER}'><purge node='urn:parley:cfg'/></pubsub>`)).attrs.type, 'result');
    await expectStanza(o, (el) => el.name === 'message' && el.getChild('event', PUBSUB_EVENT)?.getChild('purge')?.attrs.node === 'urn:parley:cfg');
    assert.deepEqual(itemIds(await items(o, undefined, 'urn:parley:cfg')), []);
    assert.equal((await iq(o, 'set', `<pubsub xmlns='${PUBSUB_OWNER}'><delete node='urn:parley:cfg'/></pubsub>`)).attrs.type, 'result');
    await expectStanza(o, (el) => el.name === 'message' && el.getChild('event', PUBSUB_EVENT)?.getChild('delete')?.attrs.node === 'urn:parley:cfg');
    assert.deepEqual(pubsubErrorOf(await items(o, undefined, 'urn:parley:cfg')), ['item-not-found', undefined]);
    // Owner operations are the owner's (§8.2.3.2).
    const s = await login('stranger');
    assert.deepEqual(pubsubErrorOf(await iq(s, 'get', `<pubsub xmlns='${PUBSUB_OWNER}'><configure node='urn:xmpp:avatar:data'/></pubsub>`, `oscar@${d}`)), ['forbidden', undefined]);
  });

  test('XEP-0084 from vCard-temp: a stored PHOTO is published as avatar data + metadata, a removed one as empty metadata', async () => {
    const p = await login('pat');
    const caps = advertiseCaps(p, ['urn:xmpp:avatar:metadata+notify', 'urn:parley:test:pat']);
    await send(p, `<presence>${caps.c}</presence>`);
    await expectCapsQuery(caps);
    await sync(p, d);
    // A 1x1 PNG header is enough: the server hashes the bytes and reads the size from IHDR.
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
    const sha1 = createHash('sha1').update(png).digest('hex');
    const set = await iq(p, 'set', `<vCard xmlns='vcard-temp'><FN>Pat</FN><PHOTO><TYPE>image/png</TYPE><BINVAL>${png.toString('base64')}</BINVAL></PHOTO></vCard>`);
    assert.equal(set.attrs.type, 'result', set.toString());
    const note = await expectStanza(p, isEvent('urn:xmpp:avatar:metadata', (x) => x.getChild('item')?.attrs.id === sha1));
    const info = note.getChild('event', PUBSUB_EVENT)?.getChild('items')?.getChild('item')?.getChild('metadata', 'urn:xmpp:avatar:metadata')?.getChild('info');
    assert.deepEqual({ ...info?.attrs }, { bytes: String(png.length), id: sha1, type: 'image/png', width: '1', height: '1' });
    const data = await items(p, undefined, 'urn:xmpp:avatar:data', `<item id='${sha1}'/>`);
    assert.equal(data.getChild('pubsub', PUBSUB)?.getChild('items')?.getChild('item')?.getChildText('data', 'urn:xmpp:avatar:data'), png.toString('base64'));
    // vCard-temp is public, so is the avatar derived from it.
    const s = await login('stranger');
    assert.deepEqual(itemIds(await items(s, `pat@${d}`, 'urn:xmpp:avatar:metadata')), [sha1]);
    // Dropping the PHOTO disables the avatar (XEP-0084 §4.2: empty <metadata/>).
    assert.equal((await iq(p, 'set', `<vCard xmlns='vcard-temp'><FN>Pat</FN></vCard>`)).attrs.type, 'result');
    await expectStanza(p, isEvent('urn:xmpp:avatar:metadata', (x) => x.getChild('item')?.getChild('metadata')?.getChildElements().length === 0));
  });

  test('XEP-0402 §5.3: bookmarks stored through private XML appear as native items, and back', async () => {
    const v = await login('vera');
    const priv = (inner: string) => `<query xmlns='jabber:iq:private'>${inner}</query>`;
    const legacy = `<storage xmlns='storage:bookmarks'><conference jid='council@conference.underhill.org' name='Council' autojoin='true'><nick>Puck</nick></conference></storage>`;
    assert.equal((await iq(v, 'set', priv(legacy))).attrs.type, 'result');
    const native = await items(v, undefined, 'urn:xmpp:bookmarks:1');
    assert.deepEqual(itemIds(native), ['council@conference.underhill.org']);
    const conf = native.getChild('pubsub', PUBSUB)?.getChild('items')?.getChild('item')?.getChild('conference', 'urn:xmpp:bookmarks:1');
    assert.equal(conf?.attrs.autojoin, 'true');
    assert.equal(conf?.getChildText('nick'), 'Puck');
    // A native publish (with the XEP-0402 §3 publish-options) shows up in the legacy views.
    const opts = { 'pubsub#persist_items': 'true', 'pubsub#max_items': 'max', 'pubsub#send_last_published_item': 'never', 'pubsub#access_model': 'whitelist' };
    const r = await publish(v, 'urn:xmpp:bookmarks:1', `<item id='orchard@conference.shakespeare.lit'><conference xmlns='urn:xmpp:bookmarks:1' name='The Orchard'/></item>`, opts);
    assert.equal(r.attrs.type, 'result', r.toString());
    const back = await iq(v, 'get', priv(`<storage xmlns='storage:bookmarks'/>`));
    const jids = back.getChild('query', 'jabber:iq:private')?.getChild('storage', 'storage:bookmarks')?.getChildren('conference').map((c) => c.attrs.jid);
    assert.deepEqual(jids, ['council@conference.underhill.org', 'orchard@conference.shakespeare.lit']);
    const pepLegacy = await items(v, undefined, 'storage:bookmarks');
    assert.equal(pepLegacy.getChild('pubsub', PUBSUB)?.getChild('items')?.getChild('item')?.getChild('storage', 'storage:bookmarks')?.getChildren('conference').length, 2);
    // Removing one in the legacy document retracts it natively.
    assert.equal((await iq(v, 'set', priv(`<storage xmlns='storage:bookmarks'><conference jid='orchard@conference.shakespeare.lit' name='The Orchard'/></storage>`))).attrs.type, 'result');
    assert.deepEqual(itemIds(await items(v, undefined, 'urn:xmpp:bookmarks:1')), ['orchard@conference.shakespeare.lit']);
    // Another account cannot read them.
    const s = await login('stranger');
    assert.deepEqual(pubsubErrorOf(await items(s, `vera@${d}`, 'urn:xmpp:bookmarks:1')), ['not-allowed', 'closed-node']);
  });

  test('XEP-0292 vCard4 over the IQ form and PEP, XEP-0172 nickname, and the account\'s disco#info', async () => {
    const s = await login('sam');
    const vcard = `<vcard xmlns='urn:ietf:params:xml:ns:vcard-4.0'><fn><text>Sam</text></fn></vcard>`;
    assert.equal((await iq(s, 'set', vcard)).attrs.type, 'result');
    const got = await iq(s, 'get', `<vcard xmlns='urn:ietf:params:xml:ns:vcard-4.0'/>`, `sam@${d}`);
    assert.equal(got.getChild('vcard', 'urn:ietf:params:xml:ns:vcard-4.0')?.getChild('fn')?.getChildText('text'), 'Sam');
    assert.deepEqual(itemIds(await items(s, undefined, 'urn:xmpp:vcard4')), ['current']);
    const stranger = await login('stranger');
    const other = await iq(stranger, 'get', `<vcard xmlns='urn:ietf:params:xml:ns:vcard-4.0'/>`, `sam@${d}`);
    assert.equal(other.getChild('vcard', 'urn:ietf:params:xml:ns:vcard-4.0')?.getChild('fn')?.getChildText('text'), 'Sam');
    assert.equal((await publish(s, 'http://jabber.org/protocol/nick', `<item><nick xmlns='http://jabber.org/protocol/nick'>Sammy</nick></item>`)).attrs.type, 'result');
    const nick = await items(s, undefined, 'http://jabber.org/protocol/nick');
    assert.equal(nick.getChild('pubsub', PUBSUB)?.getChild('items')?.getChild('item')?.getChildText('nick', 'http://jabber.org/protocol/nick'), 'Sammy');
    const info = await iq(s, 'get', `<query xmlns='http://jabber.org/protocol/disco#info'/>`, `sam@${d}`);
    const q = info.getChild('query', 'http://jabber.org/protocol/disco#info');
    assert.ok(q?.getChildren('identity').some((i) => i.attrs.category === 'pubsub' && i.attrs.type === 'pep'), info.toString());
    const features = q?.getChildren('feature').map((f) => f.attrs.var) ?? [];
    for (const f of ['', '#publish', '#publish-options', '#auto-create', '#access-open', '#access-presence', '#access-whitelist', '#retrieve-items', '#retract-items', '#filtered-notifications', '#last-published']) {
      assert.ok(features.includes(`${PUBSUB}${f}`), `missing ${PUBSUB}${f}`);
    }
    assert.ok(features.includes('urn:xmpp:bookmarks:1#compat'));
  });
});
