// Stanzas on the cluster bus (src/cluster/wire.ts): a JSON tree that rebuilds the same element
// (namespaces, prefixes, escaped text and attributes), and refuses what is not such a tree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromWire, toWire } from '../../src/cluster/wire.ts';
import { parseElement } from '../../src/xml/parse-element.ts';

test('a stanza survives the bus unchanged', () => {
  const text = `<message xmlns="jabber:client" to="a@x/r" type="chat" id="1&amp;2"><body>5 &lt; 6 &amp; "quotes" ünïcode 🎉</body><x:y xmlns:x="urn:t" x:attr="v"><x:z/></x:y>tail</message>`;
  const el = parseElement(text)!;
  const back = fromWire(JSON.parse(JSON.stringify(toWire(el))))!;
  assert.equal(back.toString(), el.toString());
  assert.equal(back.getChild('y', 'urn:t')?.getChildren('z', 'urn:t').length, 1);
  assert.equal(back.getChildText('body'), '5 < 6 & "quotes" ünïcode 🎉');
});

test('anything that is not an element tree is refused', () => {
  for (const bad of [null, 'x', [], ['m'], [1, {}], ['m', []], ['m', null], ['m', {}, 5], ['m', {}, ['n']]]) assert.equal(fromWire(bad), null, JSON.stringify(bad));
  let deep: unknown = ['a', {}];
  for (let i = 0; i < 300; i++) deep = ['a', {}, deep];
  assert.equal(fromWire(deep), null);
});
