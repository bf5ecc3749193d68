// Case mapping and width mapping of localparts (RFC 8265 §3.3.1 rules 1 and 3), and what is preserved.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jid, parseJid } from '../../src/jid/index.ts';

test('localpart and domainpart are case-folded, resourcepart keeps its case', () => {
  assert.equal(parseJid('Juliet@Example.COM/Balcony').toString(), 'juliet@example.com/Balcony');
  assert.ok(parseJid('JULIET@example.com').equals(parseJid('juliet@EXAMPLE.com')));
  assert.ok(!parseJid('juliet@example.com/balcony').equals(parseJid('juliet@example.com/Balcony')));
});

test('non-ASCII uppercase is lowercased with Unicode toLowerCase', () => {
  assert.equal(parseJid('ÉLODIE@example.com').local, 'élodie');
  assert.equal(parseJid('ЖАННА@example.com').local, 'жанна');
  // U+0130 LATIN CAPITAL LETTER I WITH DOT ABOVE lowercases to 'i' + U+0307 (no NFC composite exists)
  assert.equal(parseJid('\u0130@example.com').local, 'i\u0307');
});

test('fullwidth letters map to ASCII in localparts', () => {
  assert.equal(parseJid('\uFF2A\uFF55\uFF4C\uFF49\uFF45\uFF54@example.com').local, 'juliet'); // ＪｕｌｉＥｔ
  assert.ok(parseJid('\uFF52\uFF4F\uFF4D\uFF45\uFF4F@example.com').equals(parseJid('romeo@example.com')));
});

test('halfwidth katakana map to their standard forms and compose under NFC', () => {
  // ｶ (U+FF76) + ﾞ (U+FF9E) -> カ + U+3099 -> ガ (U+30AC)
  assert.equal(parseJid('\uFF76\uFF9E@example.com').local, '\u30AC');
});

test('a fullwidth excluded character is still excluded after width mapping', () => {
  assert.throws(() => parseJid('a\uFF20b@example.com'), /'@'.*RFC 7622 §3\.3\.1/); // ＠
  assert.throws(() => jid('a\uFF0Fb', 'example.com'), /'\/'.*RFC 7622 §3\.3\.1/); // ／
});

test('ideographic space maps to U+0020, which is not allowed in a localpart', () => {
  assert.throws(() => parseJid('a\u3000b@example.com'), /U\+0020/);
});

test('resourceparts are not width-mapped (OpaqueString, RFC 8265 §4.2.2 rule 1)', () => {
  assert.equal(parseJid('juliet@example.com/\uFF21').resource, '\uFF21');
});

test('resourceparts map non-ASCII spaces to U+0020 (RFC 8265 §4.2.2 rule 2)', () => {
  assert.equal(parseJid('juliet@example.com/foo\u1680bar').resource, 'foo bar'); // OGHAM SPACE MARK
  assert.equal(parseJid('juliet@example.com/a\u00A0b').resource, 'a b');
});

test('localparts and resourceparts are NFC-normalised', () => {
  assert.equal(parseJid('e\u0301@example.com/e\u0301').toString(), '\u00E9@example.com/\u00E9');
});

test('compatibility characters stay disallowed in localparts even when lowercasing would fix them', () => {
  // U+212A KELVIN SIGN lowercases to 'k', but preparation (RFC 8265 §3.3.2) rejects it first.
  assert.throws(() => parseJid('\u212A@example.com'), /U\+212A/);
});
