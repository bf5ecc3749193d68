// XEP-0357 §6/§7: which messages wake a device, the publish request, and which errors disable a registration.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { disablesRegistration, publishIq, warrantsNotification } from '../../../src/modules/push/notification.ts';
import { parseElement } from '../../../src/xml/parse-element.ts';
import type { Element } from '../../../src/xml/element.ts';

const el = (s: string): Element => {
  const e = parseElement(s);
  if (!e) throw new Error(`not XML: ${s}`);
  return e;
};

describe('XEP-0357 notifications', () => {
  test('messages with a body, encrypted payload or a call warrant one; chat states, errors and headlines do not', () => {
    assert.equal(warrantsNotification(el(`<message xmlns='jabber:client' type='chat'><body>hi</body></message>`)), true);
    assert.equal(warrantsNotification(el(`<message xmlns='jabber:client'><encrypted xmlns='eu.siacs.conversations.axolotl'/></message>`)), true);
    assert.equal(warrantsNotification(el(`<message xmlns='jabber:client'><propose xmlns='urn:xmpp:jingle-message:0' id='c'/></message>`)), true);
    assert.equal(warrantsNotification(el(`<message xmlns='jabber:client' type='chat'><composing xmlns='http://jabber.org/protocol/chatstates'/></message>`)), false);
    assert.equal(warrantsNotification(el(`<message xmlns='jabber:client' type='error'><body>x</body></message>`)), false);
    assert.equal(warrantsNotification(el(`<message xmlns='jabber:client' type='headline'><body>x</body></message>`)), false);
  });

  test('§6: the publish carries the summary form and, when given, the publish options', () => {
    const iq = publishIq('example.com', { jid: 'push.app.example', node: 'n1', options: [{ var: 'secret', values: ['s3cr3t'] }] }, { messageCount: 2, lastSender: 'juliet@capulet.example/balcony' });
    assert.equal(iq.attrs.type, 'set');
    assert.equal(iq.attrs.from, 'example.com');
    assert.equal(iq.attrs.to, 'push.app.example');
    assert.match(iq.attrs.id ?? '', /^push-[\w-]{8,}$/);
    const pubsub = iq.getChild('pubsub', 'http://jabber.org/protocol/pubsub')!;
    const publish = pubsub.getChild('publish')!;
    assert.equal(publish.attrs.node, 'n1');
    const form = publish.getChild('item')!.getChild('notification', 'urn:xmpp:push:0')!.getChild('x', 'jabber:x:data')!;
    const fields = Object.fromEntries(form.getChildren('field').map((f) => [f.attrs.var, f.getChildText('value')]));
    assert.deepEqual(fields, { FORM_TYPE: 'urn:xmpp:push:summary', 'message-count': '2', 'last-message-sender': 'juliet@capulet.example/balcony' });
    const options = pubsub.getChild('publish-options')!.getChild('x', 'jabber:x:data')!;
    assert.equal(options.attrs.type, 'submit');
    const opt = Object.fromEntries(options.getChildren('field').map((f) => [f.attrs.var, f.getChildText('value')]));
    assert.deepEqual(opt, { FORM_TYPE: 'http://jabber.org/protocol/pubsub#publish-options', secret: 's3cr3t' });
  });

  test('without options there is no publish-options element; the body appears only when given', () => {
    const iq = publishIq('example.com', { jid: 'app@example.com/x', node: '', options: [] }, { messageCount: 1, lastBody: 'hello' });
    const pubsub = iq.getChild('pubsub', 'http://jabber.org/protocol/pubsub')!;
    assert.equal(pubsub.getChild('publish-options'), undefined);
    assert.equal(pubsub.getChild('publish')!.attrs.node, undefined);
    assert.match(iq.toString(), /<field var="last-message-body"><value>hello<\/value><\/field>/);
    assert.doesNotMatch(iq.toString(), /last-message-sender/);
  });

  test('§7: item-not-found / not-allowed (cancel) and forbidden disable; transient errors and results do not', () => {
    const err = (type: string, condition: string) => el(`<iq xmlns='jabber:client' type='error' id='1'><error type='${type}'><${condition} xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`);
    assert.equal(disablesRegistration(err('cancel', 'item-not-found')), true);
    assert.equal(disablesRegistration(err('cancel', 'not-allowed')), true);
    assert.equal(disablesRegistration(err('auth', 'forbidden')), true);
    assert.equal(disablesRegistration(err('wait', 'remote-server-timeout')), false);
    assert.equal(disablesRegistration(err('cancel', 'service-unavailable')), false);
    assert.equal(disablesRegistration(el(`<iq xmlns='jabber:client' type='result' id='1'/>`)), false);
  });
});
