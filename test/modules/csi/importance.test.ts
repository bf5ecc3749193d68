// XEP-0352: what an inactive client gets at once and what waits (and is squashed).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { importance } from '../../../src/modules/csi/importance.ts';
import { HeldStanzas } from '../../../src/modules/csi/held.ts';
import { parseElement } from '../../../src/xml/parse-element.ts';
import type { Element } from '../../../src/xml/element.ts';

const el = (s: string): Element => {
  const e = parseElement(s);
  if (!e) throw new Error(`not XML: ${s}`);
  return e;
};
const kind = (s: string) => importance(el(s)).kind;

describe('CSI importance', () => {
  test('messages with something to read, calls and invitations are urgent', () => {
    assert.equal(kind(`<message xmlns='jabber:client' from='a@x/r' type='chat'><body>hi</body></message>`), 'urgent');
    assert.equal(kind(`<message xmlns='jabber:client' type='groupchat'><subject>topic</subject></message>`), 'urgent');
    assert.equal(kind(`<message xmlns='jabber:client'><encrypted xmlns='eu.siacs.conversations.axolotl'/></message>`), 'urgent');
    assert.equal(kind(`<message xmlns='jabber:client'><propose xmlns='urn:xmpp:jingle-message:0' id='c1'/></message>`), 'urgent');
    assert.equal(kind(`<message xmlns='jabber:client'><x xmlns='jabber:x:conference' jid='room@muc'/></message>`), 'urgent');
    assert.equal(kind(`<message xmlns='jabber:client'><x xmlns='http://jabber.org/protocol/muc#user'><invite from='a@x'/></x></message>`), 'urgent');
  });

  test('a carbon is as urgent as the message it carries', () => {
    const carbon = (inner: string) => `<message xmlns='jabber:client'><received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>${inner}</forwarded></received></message>`;
    assert.equal(kind(carbon(`<message xmlns='jabber:client' type='chat'><body>hi</body></message>`)), 'urgent');
    assert.equal(kind(carbon(`<message xmlns='jabber:client' type='chat'><active xmlns='http://jabber.org/protocol/chatstates'/></message>`)), 'defer');
  });

  test('errors, iq and subscription requests are urgent; server pings bypass the queue', () => {
    assert.equal(kind(`<message xmlns='jabber:client' type='error'><error type='cancel'/></message>`), 'urgent');
    assert.equal(kind(`<iq xmlns='jabber:client' type='result' id='1'/>`), 'urgent');
    assert.equal(kind(`<iq xmlns='jabber:client' type='set' id='2'><query xmlns='jabber:iq:roster'/></iq>`), 'urgent');
    assert.equal(kind(`<presence xmlns='jabber:client' type='subscribe' from='a@x'/>`), 'urgent');
    assert.equal(kind(`<iq xmlns='jabber:client' type='get' id='3'><ping xmlns='urn:xmpp:ping'/></iq>`), 'bypass');
  });

  test('MUC self-presence completes a join: urgent; other presence is squashed per sender', () => {
    assert.equal(kind(`<presence xmlns='jabber:client' from='r@muc/me'><x xmlns='http://jabber.org/protocol/muc#user'><status code='110'/></x></presence>`), 'urgent');
    assert.deepEqual(importance(el(`<presence xmlns='jabber:client' from='a@x/r'><show>away</show></presence>`)), { kind: 'squash', key: 'presence\u0000a@x/r' });
    assert.deepEqual(importance(el(`<presence xmlns='jabber:client' from='a@x/r' type='unavailable'/>`)), { kind: 'squash', key: 'presence\u0000a@x/r' });
  });

  test('chat states alone are squashed per sender; PEP events and receipts wait', () => {
    assert.deepEqual(importance(el(`<message xmlns='jabber:client' from='a@x/r' type='chat'><composing xmlns='http://jabber.org/protocol/chatstates'/></message>`)), { kind: 'squash', key: 'chatstate\u0000a@x/r' });
    assert.equal(kind(`<message xmlns='jabber:client' from='a@x'><event xmlns='http://jabber.org/protocol/pubsub#event'><items node='n'/></event></message>`), 'defer');
    assert.equal(kind(`<message xmlns='jabber:client'><received xmlns='urn:xmpp:receipts' id='m1'/></message>`), 'defer');
  });
});

describe('CSI held stanzas', () => {
  test('keep order, and a newer stanza with the same key replaces the older one at the end', () => {
    const held = new HeldStanzas();
    const next = () => {};
    const p = (from: string, n: number) => ({ stanza: el(`<presence xmlns='jabber:client' from='${from}'><status>${n}</status></presence>`), next });
    assert.equal(held.hold(p('a', 1), 'a'), false);
    assert.equal(held.hold(p('b', 1), 'b'), false);
    held.hold({ stanza: el(`<message xmlns='jabber:client' id='ev'/>`), next });
    assert.equal(held.hold(p('a', 2), 'a'), true);
    assert.equal(held.size, 3);
    const order = held.drain().map((h) => h.stanza.attrs.from ?? h.stanza.attrs.id);
    assert.deepEqual(order, ['b', 'ev', 'a']);
    assert.equal(held.size, 0);
    assert.equal(held.hold(p('a', 3), 'a'), false, 'drain forgets the keys');
  });
});
