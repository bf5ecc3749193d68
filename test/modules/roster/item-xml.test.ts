// RFC 6121 §2.1.2 item XML and the §2.3.3 validation of a roster set's payload.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { itemElement, parseRosterSet } from '../../../src/modules/roster/item-xml.ts';
import { parseElement } from '../../../src/xml/parse-element.ts';
import { StanzaError } from '../../../src/stanza/errors.ts';

const limits = { maxNameLength: 5, maxGroupLength: 4, maxGroups: 2 };
const query = (inner: string) => parseElement(`<iq type="set" id="x"><query xmlns="jabber:iq:roster">${inner}</query></iq>`)!.getChild('query')!;

function condition(inner: string): string {
  try {
    parseRosterSet(query(inner), limits);
  } catch (e) {
    assert.ok(e instanceof StanzaError);
    return e.condition;
  }
  return 'accepted';
}

describe('roster set validation (RFC 6121 §2.3.3)', () => {
  test('one valid item is parsed with its JID normalised, name and groups in order', () => {
    const r = parseRosterSet(query(`<item jid="Romeo@Example.NET" name="Ro"><group>b</group><group>a</group></item>`), limits);
    assert.equal(r.kind, 'update');
    assert.equal(r.jid.toString(), 'romeo@example.net');
    assert.deepEqual(r.kind === 'update' && { name: r.name, groups: r.groups }, { name: 'Ro', groups: ['b', 'a'] });
  });
  test('subscription="remove" is a removal; other subscription and ask values are ignored', () => {
    assert.equal(parseRosterSet(query(`<item jid="a@b" subscription="remove"/>`), limits).kind, 'remove');
    assert.equal(parseRosterSet(query(`<item jid="a@b" subscription="both" ask="subscribe"/>`), limits).kind, 'update');
  });
  test('an empty name counts as no name', () => {
    const r = parseRosterSet(query(`<item jid="a@b" name=""/>`), limits);
    assert.equal(r.kind === 'update' && r.name, undefined);
  });
  const cases: Array<[string, string]> = [
    ['', 'bad-request'],
    [`<item jid="a@b"/><item jid="c@d"/>`, 'bad-request'],
    [`<other jid="a@b"/>`, 'bad-request'],
    [`<item/>`, 'bad-request'],
    [`<item jid="a@@b"/>`, 'jid-malformed'],
    [`<item jid="a@b/"/>`, 'jid-malformed'],
    [`<item jid="a@b" name="123456"/>`, 'not-acceptable'],
    [`<item jid="a@b"><group/></item>`, 'not-acceptable'],
    [`<item jid="a@b"><group>12345</group></item>`, 'not-acceptable'],
    [`<item jid="a@b"><group>x</group><group>x</group></item>`, 'bad-request'],
    [`<item jid="a@b"><group>x</group><group>y</group><group>z</group></item>`, 'not-acceptable'],
    [`<item jid="a@b" name="12345"><group>1234</group></item>`, 'accepted'],
  ];
  for (const [inner, expected] of cases) test(`${inner || '(no item)'} -> ${expected}`, () => assert.equal(condition(inner), expected));
});

describe('roster item XML (RFC 6121 §2.1.2)', () => {
  test('ask and approved appear only when set; groups are children', () => {
    assert.equal(itemElement({ jid: 'a@b', subscription: 'none', ask: false, approved: false, groups: [] }).toString(), '<item jid="a@b" subscription="none"/>');
    assert.equal(
      itemElement({ jid: 'a@b', name: 'A & B', subscription: 'none', ask: true, approved: true, groups: ['x'] }).toString(),
      '<item jid="a@b" name="A &amp; B" subscription="none" ask="subscribe" approved="true"><group>x</group></item>',
    );
    assert.equal(itemElement({ jid: 'a@b', removed: true }).toString(), '<item jid="a@b" subscription="remove"/>');
  });
});
