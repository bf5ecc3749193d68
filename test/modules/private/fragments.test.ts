// XEP-0049 pure rules: reserved namespaces, grouping by namespace, detached serialization.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkNamespace, detach, groupByNamespace } from '../../../src/modules/private/fragments.ts';
import { StanzaError } from '../../../src/stanza/errors.ts';
import { parseElement } from '../../../src/xml/parse-element.ts';

const notAcceptable = (e: unknown) => e instanceof StanzaError && e.condition === 'not-acceptable';

describe('XEP-0049 namespaces', () => {
  test('stanza namespaces and jabber:iq:private itself are refused', () => {
    for (const ns of ['jabber:client', 'jabber:server', 'jabber:iq:private', '', undefined]) assert.throws(() => checkNamespace(ns), notAcceptable, String(ns));
  });
  test('ordinary namespaces are accepted', () => {
    for (const ns of ['storage:bookmarks', 'exodus:prefs', 'jabber:x:custom']) assert.equal(checkNamespace(ns), ns);
  });
});

describe('XEP-0049 set payloads', () => {
  const iq = (inner: string) => parseElement(`<iq xmlns="jabber:client" type="set" xmlns:ex="exodus:prefs"><query xmlns="jabber:iq:private">${inner}</query></iq>`)!;
  test('children are grouped by namespace in document order', () => {
    const q = iq('<a xmlns="urn:one"/><b xmlns="urn:two"/><c xmlns="urn:one"/>').getChild('query', 'jabber:iq:private')!;
    const groups = groupByNamespace(q);
    assert.deepEqual([...groups.keys()], ['urn:one', 'urn:two']);
    assert.deepEqual(groups.get('urn:one')!.map((e) => e.name), ['a', 'c']);
  });
  test('an empty query is not acceptable (XEP-0049 §2.1)', () => {
    assert.throws(() => groupByNamespace(iq('').getChild('query', 'jabber:iq:private')!), notAcceptable);
  });
  test('a child without its own namespace inherits jabber:iq:private and is refused', () => {
    assert.throws(() => groupByNamespace(iq('<prefs/>').getChild('query', 'jabber:iq:private')!), notAcceptable);
  });
  test('a detached child keeps prefixes declared above it, and parses back to the same namespaces', () => {
    const q = iq('<ex:prefs><ex:default>x</ex:default></ex:prefs>').getChild('query', 'jabber:iq:private')!;
    const [child] = groupByNamespace(q).get('exodus:prefs')!;
    const back = parseElement(detach(child).toString())!;
    assert.equal(back.getNS(), 'exodus:prefs');
    assert.equal(back.getChildElements()[0].getNS(), 'exodus:prefs');
    assert.equal(back.getChildElements()[0].getText(), 'x');
  });
});
