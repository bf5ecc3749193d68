// Resourceparts (RFC 7622 §3.4): OpaqueString profile of the FreeformClass (RFC 8265 §4.2).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JidError, parseJid, tryParseJid } from '../../src/jid/index.ts';

test('the resourcepart is everything after the first slash, separators included', () => {
  const j = parseJid('juliet@example.com/a/b@c/d');
  assert.equal(j.resource, 'a/b@c/d');
  assert.equal(j.toString(), 'juliet@example.com/a/b@c/d');
});

test('spaces, symbols, punctuation and case are preserved', () => {
  for (const r of ['Foo Bar', ' leading', 'trailing ', '♚ King', 'a—b', 'Ⅳ', '\uFB01', '\u{1F600}', '"quoted" & <angled>']) {
    assert.equal(parseJid(`juliet@example.com/${r}`).resource, r.normalize('NFC'), r);
  }
});

test('controls, unassigned, private use, ignorables and lone surrogates are not allowed', () => {
  for (const r of ['a\u0000', 'a\u0007', 'a\u007F', 'a\u0378', 'a\uE000', 'a\u00AD', 'a\u200B', 'a\uD800', 'a\u2028']) {
    assert.throws(
      () => parseJid(`juliet@example.com/${r}`),
      (err: unknown) => err instanceof JidError && err.part === 'resourcepart' && /FreeformClass/.test(err.message),
      JSON.stringify(r),
    );
  }
});

test('a joiner needs its context in resourceparts too', () => {
  assert.equal(tryParseJid('juliet@example.com/a\u200Db'), null);
  assert.ok(tryParseJid('juliet@example.com/\u0915\u094D\u200D\u0937'));
});

test('right-to-left resourceparts are not subject to the Bidi Rule (RFC 8265 §4.2.2 rule 5)', () => {
  assert.equal(parseJid('juliet@example.com/1\u05D0a').resource, '1\u05D0a');
});
