// XEP-0359 §5: stanza-ids that claim to be by us are removed; ours is added with by and id.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stampStanzaId, stripStanzaIds } from '../../../src/modules/mam/stanza-id.ts';
import { parseJid } from '../../../src/jid/index.ts';
import { parseElement } from '../../../src/xml/parse-element.ts';

const SID = 'urn:xmpp:sid:0';

test('strips only the claims the predicate owns, keeps others and origin-id', () => {
  const msg = parseElement(`<message><body>x</body><stanza-id xmlns="${SID}" by="Juliet@Capulet.lit" id="1"/>` +
    `<stanza-id xmlns="${SID}" by="room@muc.example" id="2"/><origin-id xmlns="${SID}" id="3"/><stanza-id xmlns="${SID}" id="no-by"/></message>`)!;
  const juliet = parseJid('juliet@capulet.lit');
  const removed = stripStanzaIds(msg, (by) => by.bare().equals(juliet));
  assert.equal(removed, 2); // the (normalised) claim by juliet, and the one with no 'by' at all
  assert.deepEqual(msg.getChildren('stanza-id', SID).map((s) => s.attrs.id), ['2']);
  assert.equal(msg.getChildren('origin-id', SID).length, 1);
});

test('stamps <stanza-id xmlns by id/>', () => {
  const msg = parseElement('<message><body>x</body></message>')!;
  stampStanzaId(msg, parseJid('juliet@capulet.lit'), 'abc');
  const sid = msg.getChild('stanza-id', SID)!;
  assert.deepEqual([sid.attrs.by, sid.attrs.id], ['juliet@capulet.lit', 'abc']);
});
