// XEP-0313 §6.1.1 what a user archive keeps, with XEP-0334 hints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isArchivable } from '../../../src/modules/mam/policy.ts';
import { parseElement } from '../../../src/xml/parse-element.ts';

const m = (s: string) => parseElement(s)!;

test('chat and normal messages with a body are archived', () => {
  assert.equal(isArchivable(m('<message type="chat"><body>hi</body></message>')), true);
  assert.equal(isArchivable(m('<message><body>hi</body></message>')), true);
  assert.equal(isArchivable(m('<message type="normal"><body>hi</body></message>')), true);
});

test('errors, groupchat and headline are not', () => {
  for (const type of ['error', 'groupchat', 'headline']) assert.equal(isArchivable(m(`<message type="${type}"><body>x</body></message>`)), false, type);
});

test('state changes alone are not: chat states, receipts, markers', () => {
  assert.equal(isArchivable(m('<message type="chat"><composing xmlns="http://jabber.org/protocol/chatstates"/></message>')), false);
  assert.equal(isArchivable(m('<message><received xmlns="urn:xmpp:receipts" id="x"/></message>')), false);
  assert.equal(isArchivable(m('<message type="chat"><displayed xmlns="urn:xmpp:chat-markers:0" id="x"/></message>')), false);
});

test('content without a body is: encrypted, invitations, calls, reactions, retractions', () => {
  for (const child of [
    '<encrypted xmlns="eu.siacs.conversations.axolotl"/>',
    '<encrypted xmlns="urn:xmpp:omemo:2"/>',
    '<x xmlns="jabber:x:conference" jid="room@muc.example"/>',
    '<x xmlns="http://jabber.org/protocol/muc#user"><invite from="a@b"/></x>',
    '<propose xmlns="urn:xmpp:jingle-message:0" id="c"/>',
    '<reactions xmlns="urn:xmpp:reactions:0" id="m"/>',
    '<retract xmlns="urn:xmpp:message-retract:1" id="m"/>',
    '<file-sharing xmlns="urn:xmpp:sfs:0"><file xmlns="urn:xmpp:file:metadata:0"/></file-sharing>', // XEP-0447 body-less share (docs/emoji.md)
  ]) assert.equal(isArchivable(m(`<message type="chat">${child}</message>`)), true, child);
  assert.equal(isArchivable(m('<message><x xmlns="http://jabber.org/protocol/muc#user"><status code="104"/></x></message>')), false);
});

test('XEP-0334: no-store and no-permanent-store keep it out; store puts it in, never an error', () => {
  assert.equal(isArchivable(m('<message type="chat"><body>x</body><no-store xmlns="urn:xmpp:hints"/></message>')), false);
  assert.equal(isArchivable(m('<message type="chat"><body>x</body><no-permanent-store xmlns="urn:xmpp:hints"/></message>')), false);
  assert.equal(isArchivable(m('<message type="chat"><active xmlns="http://jabber.org/protocol/chatstates"/><store xmlns="urn:xmpp:hints"/></message>')), true);
  assert.equal(isArchivable(m('<message type="error"><body>x</body><store xmlns="urn:xmpp:hints"/></message>')), false);
  // A hint in another namespace is not a hint.
  assert.equal(isArchivable(m('<message type="chat"><body>x</body><no-store xmlns="urn:example"/></message>')), true);
});
