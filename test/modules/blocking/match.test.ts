// XEP-0191 pure rules: JID matching (§6), <item/> parsing (§3.3), inbound verdicts (§3.3).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJid } from '../../../src/jid/index.ts';
import { blockedError, inboundVerdict, isBlocked, matchesItem, parseItems } from '../../../src/modules/blocking/match.ts';
import { StanzaError } from '../../../src/stanza/errors.ts';
import { xml } from '../../../src/xml/element.ts';

const j = parseJid;
const NS = 'urn:xmpp:blocking';

describe('XEP-0191 §6 JID matching', () => {
  const cases: Array<[item: string, peer: string, expected: boolean]> = [
    // user@domain/resource: only that resource
    ['romeo@montague.lit/orchard', 'romeo@montague.lit/orchard', true],
    ['romeo@montague.lit/orchard', 'romeo@montague.lit/garden', false],
    ['romeo@montague.lit/orchard', 'romeo@montague.lit', false],
    // user@domain: any resource, and the bare JID
    ['romeo@montague.lit', 'romeo@montague.lit', true],
    ['romeo@montague.lit', 'romeo@montague.lit/orchard', true],
    ['romeo@montague.lit', 'benvolio@montague.lit', false],
    ['romeo@montague.lit', 'romeo@capulet.lit', false],
    // domain/resource: only that resource of the domain itself
    ['montague.lit/bot', 'montague.lit/bot', true],
    ['montague.lit/bot', 'romeo@montague.lit/bot', false],
    ['montague.lit/bot', 'montague.lit', false],
    // domain: the domain, its users and their resources
    ['montague.lit', 'montague.lit', true],
    ['montague.lit', 'montague.lit/bot', true],
    ['montague.lit', 'romeo@montague.lit', true],
    ['montague.lit', 'romeo@montague.lit/orchard', true],
    ['montague.lit', 'romeo@sub.montague.lit', false],
    ['montague.lit', 'capulet.lit', false],
  ];
  for (const [item, peer, expected] of cases) {
    test(`${item} ${expected ? 'matches' : 'does not match'} ${peer}`, () => {
      assert.equal(matchesItem(j(item), j(peer)), expected);
    });
  }

  test('matching compares normalized JIDs (case-insensitive localpart and domain)', () => {
    assert.equal(matchesItem(j('Romeo@Montague.LIT'), j('romeo@montague.lit/x')), true);
  });

  test('isBlocked is true when any item matches', () => {
    const list = [j('a@x.lit'), j('y.lit')];
    assert.equal(isBlocked(list, j('b@y.lit/r')), true);
    assert.equal(isBlocked(list, j('b@x.lit')), false);
    assert.equal(isBlocked([], j('b@x.lit')), false);
  });
});

describe('XEP-0191 <item/> lists', () => {
  test('normalizes and de-duplicates in request order', () => {
    const block = xml('block', { xmlns: NS }, xml('item', { jid: 'B@X.lit' }), xml('item', { jid: 'a@x.lit' }), xml('item', { jid: 'b@x.lit' }));
    assert.deepEqual(parseItems(block).map(String), ['b@x.lit', 'a@x.lit']);
  });
  test('an empty command gives no items (unblock-all, §3.5)', () => {
    assert.deepEqual(parseItems(xml('unblock', { xmlns: NS })), []);
  });
  test('an invalid JID fails the whole request with jid-malformed', () => {
    const block = xml('block', { xmlns: NS }, xml('item', { jid: 'ok@x.lit' }), xml('item', { jid: 'bad@@x' }));
    assert.throws(() => parseItems(block), (e: unknown) => e instanceof StanzaError && e.condition === 'jid-malformed');
  });
  test('an item without jid is a bad request', () => {
    assert.throws(() => parseItems(xml('block', { xmlns: NS }, xml('item'))), (e: unknown) => e instanceof StanzaError && e.condition === 'bad-request');
  });
  test('a foreign child is a bad request', () => {
    assert.throws(() => parseItems(xml('block', { xmlns: NS }, xml('jid', {}, 'a@b'))), (e: unknown) => e instanceof StanzaError && e.condition === 'bad-request');
  });
});

describe('XEP-0191 §3.3 stanzas from a blocked JID', () => {
  const cases: Array<[string, string | undefined, 'drop' | 'service-unavailable']> = [
    ['presence', undefined, 'drop'],
    ['presence', 'subscribe', 'drop'],
    ['presence', 'probe', 'drop'],
    ['message', undefined, 'service-unavailable'],
    ['message', 'chat', 'service-unavailable'],
    ['message', 'groupchat', 'service-unavailable'],
    ['message', 'error', 'drop'],
    ['iq', 'get', 'service-unavailable'],
    ['iq', 'set', 'service-unavailable'],
    ['iq', 'result', 'drop'],
    ['iq', 'error', 'drop'],
  ];
  for (const [name, type, verdict] of cases) {
    test(`<${name}${type ? ` type='${type}'` : ''}/>: ${verdict}`, () => {
      assert.equal(inboundVerdict(xml(name, { type })), verdict);
    });
  }

  test('the error for the user\'s own stanza is not-acceptable/cancel with <blocked/>', () => {
    const err = blockedError().toElement();
    assert.equal(err.attrs.type, 'cancel');
    assert.ok(err.getChild('not-acceptable', 'urn:ietf:params:xml:ns:xmpp-stanzas'));
    assert.ok(err.getChild('blocked', 'urn:xmpp:blocking:errors'));
  });
});
