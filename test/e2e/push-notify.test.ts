// XEP-0357 push notifications, with a second account on the same server playing the app server
// (the push service JID is its full JID): it receives the pubsub publish with the summary form
// when the recipient is offline or hibernating (XEP-0198), and a registration it rejects is dropped.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { xml as xmppXml } from '@xmpp/client';
import type { Element } from 'ltx';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { RawXmpp } from '../helpers/raw.ts';
import { smClient } from '../helpers/sm-raw.ts';
import { connectXmppjs, disconnect, expectNoStanza, expectStanza, nextId, send, type Client } from '../helpers/xmppjs.ts';

const NS_PUSH = 'urn:xmpp:push:0';
const NS_PUBSUB = 'http://jabber.org/protocol/pubsub';
const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';

type AppReply = 'result' | 'item-not-found';

describe('XEP-0357 push notifications', () => {
  let server: RunningServer;
  const clients: Client[] = [];
  const raws: RawXmpp[] = [];
  let d: string;
  let app: Client;
  let appReply: AppReply = 'result';

  before(async () => {
    server = await startServer();
    d = server.domain;
    await Promise.all(['alice', 'bob', 'app', 'mallory'].map((u) => server.adduser(u, `${u}-secret`)));
    app = await login('app', 'pushsvc');
    // The app server answers publishes as the test decides (XEP-0357 §7).
    const callee = (app as unknown as { iqCallee: { set(ns: string, name: string, h: () => unknown): void } }).iqCallee;
    callee.set(NS_PUBSUB, 'pubsub', () => (appReply === 'result' ? true : xmppXml('error', { type: 'cancel' }, xmppXml('item-not-found', { xmlns: STANZAS }))));
  });
  after(async () => {
    for (const r of raws) r.destroy();
    await Promise.all(clients.map(disconnect));
    await server?.stop();
  });

  async function login(user: string, resource: string): Promise<Client> {
    const c = await connectXmppjs({ port: server.ports.c2s, domain: d, username: user, password: `${user}-secret`, resource });
    clients.push(c);
    return c;
  }
  async function iq(c: Client, payload: string, expect: 'result' | 'error' = 'result'): Promise<Element> {
    const id = nextId('push');
    await send(c, `<iq type='set' id='${id}'>${payload}</iq>`);
    return expectStanza(c, `<iq id='${id}' type='${expect}'/>`);
  }
  const enable = (node: string, secret?: string) =>
    `<enable xmlns='${NS_PUSH}' jid='${app.jid}' node='${node}'>${secret === undefined ? '' : `<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE'><value>http://jabber.org/protocol/pubsub#publish-options</value></field><field var='secret'><value>${secret}</value></field></x>`}</enable>`;
  const fields = (x: Element | undefined) => Object.fromEntries((x?.getChildren('field') ?? []).map((f) => [f.attrs.var, f.getChildText('value')]));
  const publishTo = (node: string) => (el: Element) => el.name === 'iq' && el.attrs.type === 'set' && el.getChild('pubsub', NS_PUBSUB)?.getChild('publish')?.attrs.node === node;

  test('§4: the account advertises urn:xmpp:push:0; only the owner may enable', async () => {
    const alice = await login('alice', 'disco');
    const id = nextId('disco');
    await send(alice, `<iq type='get' id='${id}' to='alice@${d}'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`);
    await expectStanza(alice, `<iq id='${id}' type='result'><query xmlns='http://jabber.org/protocol/disco#info'><feature var='${NS_PUSH}'/></query></iq>`);

    const mallory = await login('mallory', 'm');
    const mid = nextId('steal');
    await send(mallory, `<iq type='set' id='${mid}' to='alice@${d}'>${enable('stolen')}</iq>`);
    await expectStanza(mallory, `<iq id='${mid}' type='error'/>`);
    await iq(alice, `<enable xmlns='${NS_PUSH}' node='no-jid'/>`, 'error'); // §5: jid is required
    await disconnect(alice);
  });

  test('§6: an offline recipient\'s app server gets the summary (count, sender, no body) with the publish options', async () => {
    const alice = await login('alice', 'phone');
    await iq(alice, enable('alice-phone', 's3cr3t'));
    await disconnect(alice);
    const bob = await login('bob', 'desk');

    await send(bob, `<message to='alice@${d}' type='chat' id='off1'><body>private words</body></message>`);
    const publish = await expectStanza(app, publishTo('alice-phone'), 10_000);
    assert.equal(publish.attrs.from, d, 'published by the server (§6)');
    const pubsub = publish.getChild('pubsub', NS_PUBSUB)!;
    const notification = pubsub.getChild('publish')!.getChild('item')?.getChild('notification', NS_PUSH);
    assert.ok(notification, `${publish}`);
    const summary = fields(notification.getChild('x', 'jabber:x:data'));
    assert.equal(summary.FORM_TYPE, 'urn:xmpp:push:summary');
    assert.equal(summary['message-count'], '1');
    assert.equal(summary['last-message-sender'], bob.jid!.toString());
    assert.equal(summary['last-message-body'], undefined, 'bodies stay out by default (§9 privacy)');
    assert.ok(!publish.toString().includes('private words'));
    const options = fields(pubsub.getChild('publish-options')?.getChild('x', 'jabber:x:data'));
    assert.equal(options.FORM_TYPE, 'http://jabber.org/protocol/pubsub#publish-options');
    assert.equal(options.secret, 's3cr3t');

    await send(bob, `<message to='alice@${d}' type='chat' id='off2'><body>more</body></message>`);
    const second = await expectStanza(app, publishTo('alice-phone'), 10_000);
    const n2 = fields(second.getChild('pubsub', NS_PUBSUB)!.getChild('publish')!.getChild('item')!.getChild('notification', NS_PUSH)!.getChild('x', 'jabber:x:data'));
    assert.equal(n2['message-count'], '2', 'pending messages add up until the user is back');

    // A chat state alone wakes nobody.
    await send(bob, `<message to='alice@${d}' type='chat' id='off3'><composing xmlns='http://jabber.org/protocol/chatstates'/></message>`);
    await expectNoStanza(app, publishTo('alice-phone'), 500);
  });

  test('a recipient hibernating (XEP-0198, connection lost) is notified too', async () => {
    const { raw } = await smClient({ port: server.ports.c2s, domain: d, username: 'alice', password: 'alice-secret', resource: 'sm-phone' });
    raws.push(raw);
    raw.write(`<presence/>`);
    raw.write(`<iq type='set' id='en'>${enable('alice-phone', 's3cr3t')}</iq>`);
    await raw.waitFor(/id=["']en["']/);
    raw.destroy();
    await server.waitForLog(/"msg":"session hibernated"/, 10_000);

    const bob = await login('bob', 'desk2');
    await send(bob, `<message to='alice@${d}/sm-phone' type='chat' id='hib1'><body>wake up</body></message>`);
    const publish = await expectStanza(app, publishTo('alice-phone'), 10_000);
    const summary = fields(publish.getChild('pubsub', NS_PUBSUB)!.getChild('publish')!.getChild('item')!.getChild('notification', NS_PUSH)!.getChild('x', 'jabber:x:data'));
    assert.equal(summary['message-count'], '1', 'the count starts again after alice was online');
    assert.equal(summary['last-message-sender'], bob.jid!.toString());
  });

  test('§7: an app server answering item-not-found disables the registration; disable removes one', async () => {
    const alice = await login('alice', 'reg');
    await iq(alice, enable('gone-node'));
    await iq(alice, enable('kept-node'));
    await iq(alice, `<disable xmlns='${NS_PUSH}' jid='${app.jid}' node='kept-node'/>`);
    await disconnect(alice);
    const bob = await login('bob', 'desk3');

    appReply = 'item-not-found';
    await send(bob, `<message to='alice@${d}' type='chat' id='rej1'><body>one</body></message>`);
    await expectStanza(app, publishTo('gone-node'), 10_000);
    appReply = 'result';
    await new Promise((r) => setTimeout(r, 300)); // the error travels back to the server
    await send(bob, `<message to='alice@${d}' type='chat' id='rej2'><body>two</body></message>`);
    // alice-phone is still registered and proves the trigger fired; gone-node and kept-node get nothing.
    await expectStanza(app, publishTo('alice-phone'), 10_000);
    await expectNoStanza(app, (el) => publishTo('gone-node')(el) || publishTo('kept-node')(el), 700);
  });
});
