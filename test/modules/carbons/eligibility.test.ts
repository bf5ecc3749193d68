// XEP-0280 §6.1 eligibility as Parley reads it (src/modules/carbons/eligibility.ts), and the
// §6.2/§6.3 wrapping of carbons.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXml } from '../../helpers/parse-xml.ts';
import { isEligible } from '../../../src/modules/carbons/eligibility.ts';
import { carbonCopy } from '../../../src/modules/carbons/wrap.ts';
import { jid } from '../../../src/jid/index.ts';

const cases: Array<[string, string, { sent: boolean; received: boolean }]> = [
  ['chat with a body', `<message type='chat'><body>x</body></message>`, { sent: true, received: true }],
  ['chat without a body (chat state)', `<message type='chat'><active xmlns='http://jabber.org/protocol/chatstates'/></message>`, { sent: true, received: true }],
  ['normal with a body', `<message><body>x</body></message>`, { sent: true, received: true }],
  ['normal without a body', `<message><thread>t</thread></message>`, { sent: false, received: false }],
  ['normal with a receipt', `<message><received xmlns='urn:xmpp:receipts' id='1'/></message>`, { sent: true, received: true }],
  ['normal with a chat marker', `<message><displayed xmlns='urn:xmpp:chat-markers:0' id='1'/></message>`, { sent: true, received: true }],
  ['groupchat', `<message type='groupchat'><body>x</body></message>`, { sent: false, received: false }],
  ['headline', `<message type='headline'><body>x</body></message>`, { sent: false, received: false }],
  ['error', `<message type='error'><body>x</body></message>`, { sent: false, received: false }],
  ['private', `<message type='chat'><body>x</body><private xmlns='urn:xmpp:carbons:2'/></message>`, { sent: false, received: false }],
  ['no-copy hint', `<message type='chat'><body>x</body><no-copy xmlns='urn:xmpp:hints'/></message>`, { sent: false, received: false }],
  ['MUC private message', `<message type='chat'><body>x</body><x xmlns='http://jabber.org/protocol/muc#user'/></message>`, { sent: true, received: false }],
  ['mediated MUC invitation', `<message><x xmlns='http://jabber.org/protocol/muc#user'><invite from='a@b'/></x></message>`, { sent: true, received: true }],
  ['direct MUC invitation', `<message><x xmlns='jabber:x:conference' jid='room@muc.example'/></message>`, { sent: true, received: true }],
  ['a carbon itself', `<message type='chat'><sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'/></sent></message>`, { sent: false, received: false }],
  ['a presence', `<presence/>`, { sent: false, received: false }],
];

describe('XEP-0280 §6.1 eligibility', () => {
  for (const [what, xmlText, expected] of cases) {
    test(what, () => {
      const m = parseXml(xmlText);
      assert.deepEqual({ sent: isEligible(m, 'sent'), received: isEligible(m, 'received') }, expected);
    });
  }
});

test('§6.2: a received carbon comes from the bare JID, keeps the type and forwards the original in jabber:client', () => {
  const original = parseXml(`<message from='juliet@capulet.example/balcony' to='romeo@montague.example/garden' type='chat' id='m1'><body>x</body></message>`);
  const c = carbonCopy('received', original, jid('romeo', 'montague.example', 'garden'), jid('romeo', 'montague.example', 'home'));
  assert.equal(c.toString(),
    '<message xmlns="jabber:client" from="romeo@montague.example" to="romeo@montague.example/home" type="chat">' +
    '<received xmlns="urn:xmpp:carbons:2"><forwarded xmlns="urn:xmpp:forward:0">' +
    '<message from="juliet@capulet.example/balcony" to="romeo@montague.example/garden" type="chat" id="m1" xmlns="jabber:client"><body>x</body></message>' +
    '</forwarded></received></message>');
  assert.equal(original.parent, null, 'the original is not re-parented');
});
