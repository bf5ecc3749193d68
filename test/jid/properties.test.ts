// Property tests: enforcement is idempotent, escaping round-trips, and no input makes parseJid
// throw anything but JidError.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { escapeLocal, JidError, parseJid, tryParseJid, unescapeLocal } from '../../src/jid/index.ts';
import { clearAllCaches } from '../../src/jid/cache.ts';

// Characters chosen to reach every rule: case and width mapping, NFC composition, exceptions,
// contextual rules, bidi, excluded characters, separators and plainly invalid code points.
const interesting = fc.constantFrom(
  'a', 'z', 'A', 'Z', '0', '9', '-', '.', '_', '+', '\\', ' ', '@', '/', '"', '&', "'", ':', '<', '>',
  'ß', 'ẞ', 'Σ', 'σ', 'ς', 'İ', 'ı', 'é', 'e\u0301', '\u0301', 'Å', '\u212B', '\u212A', 'ǅ', 'Ⅳ', 'ﬁ',
  'Ａ', 'ｚ', '０', '＠', '／', 'ｶ', 'ﾞ', '\u3000', '\u00A0', '\u1680',
  'π', 'ж', 'Ж', '字', 'ガ', 'カ', '\u3099', 'ا', 'ب', 'א', '١', '۱', '\u200C', '\u200D', '\u094D', 'क',
  '·', 'l', '\u0375', '\u05F3', '\u30FB', '\u0640',
  '♚', '\u{1F600}', '\u0000', '\u0007', '\u00AD', '\u200B', '\u202E', '\uE000', '\uFDD0', '\u0378', '\uD800', '\uDC00',
  '\u1100', '\u1161',
);
const mixedString = fc.oneof(
  fc.string({ unit: interesting, minLength: 1, maxLength: 12 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 12 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }),
);
const label = fc.oneof(
  fc.constantFrom('example', 'EXAMPLE', 'com', 'org', 'münchen', 'MÜNCHEN', 'xn--mnchen-3ya', 'XN--MNCHEN-3YA',
    '例え', 'テスト', 'xn--zckzah', 'faß', 'a-b', 'ab--c', '-a', 'a_b', 'ｅｘａｍｐｌｅ', 'مثال', 'a\u05D0', '1', 'xn--'),
  fc.string({ unit: fc.constantFrom('a', 'b', 'z', '0', '-', 'ü', 'Ü', 'é', '字', 'ß', '\u00AD'), minLength: 1, maxLength: 8 }),
);
const domain = fc.oneof(
  fc.tuple(fc.array(label, { minLength: 1, maxLength: 4 }), fc.boolean()).map(([ls, dot]) => ls.join('.') + (dot ? '.' : '')),
  fc.constantFrom('192.0.2.1', '[::1]', '[2001:DB8::1]', '[::ffff:192.0.2.1]', '256.1.1.1', '[::1'),
);
const jidString = fc
  .tuple(fc.option(mixedString), domain, fc.option(mixedString))
  .map(([local, d, resource]) => (local === null ? '' : `${local}@`) + d + (resource === null ? '' : `/${resource}`));

test('enforcement is idempotent: parse(toString(parse(x))) equals parse(x)', () => {
  let valid = 0;
  fc.assert(
    fc.property(jidString, (s) => {
      const first = tryParseJid(s);
      if (first === null) return;
      valid++;
      clearAllCaches(); // otherwise the canonical string is answered from the cache
      const again = parseJid(first.toString());
      assert.notEqual(again, first);
      assert.ok(again.equals(first), `${JSON.stringify(s)} -> ${JSON.stringify(first.toString())} -> ${JSON.stringify(again.toString())}`);
      assert.equal(again.toString(), first.toString());
    }),
    { numRuns: 3000 },
  );
  assert.ok(valid > 300, `only ${valid} generated JIDs were valid; the generator needs more valid input`);
});

test('bare() and withResource() agree with parsing', () => {
  fc.assert(
    fc.property(jidString, mixedString, (s, r) => {
      const j = tryParseJid(s);
      if (j === null) return;
      assert.equal(parseJid(j.bare().toString()).toString(), j.bare().toString());
      let withR;
      try {
        withR = j.withResource(r);
      } catch (err) {
        assert.ok(err instanceof JidError);
        return;
      }
      assert.ok(parseJid(`${j.bare()}/${r}`).equals(withR));
    }),
    { numRuns: 1000 },
  );
});

test('no input makes parseJid throw anything but JidError', () => {
  const anyString = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 40 }), // lone surrogates
    fc.string({ unit: fc.constantFrom('@', '/', '.', '[', ']', ':', 'x', 'n', '-', 'a', '\u3002', '\uFF0E'), maxLength: 30 }),
    jidString,
  );
  fc.assert(
    fc.property(anyString, (s) => {
      try {
        parseJid(s);
      } catch (err) {
        assert.ok(err instanceof JidError, `${JSON.stringify(s)} threw ${String(err)}`);
        assert.match(err.message, /^invalid (JID|localpart|domainpart|resourcepart): \S/);
      }
    }),
    { numRuns: 5000 },
  );
});

test('escapeLocal/unescapeLocal round-trip any string without edge spaces', () => {
  const noEdgeSpaces = fc.string({ unit: fc.oneof(interesting, fc.constantFrom('\\20', '\\5c', '\\2', '\\3a')), maxLength: 20 })
    .filter((s) => !s.startsWith(' ') && !s.endsWith(' '));
  fc.assert(
    fc.property(fc.oneof(noEdgeSpaces, fc.string({ unit: 'binary' }).filter((s) => !s.startsWith(' ') && !s.endsWith(' '))), (s) => {
      const escaped = escapeLocal(s);
      assert.doesNotMatch(escaped, /[ "&'/:<>@]/);
      assert.equal(unescapeLocal(escaped), s);
    }),
    { numRuns: 3000 },
  );
});

test('escaped user input survives JID enforcement and unescapes to the input', () => {
  const userInput = fc
    .string({ unit: fc.constantFrom('a', 'b', 'x', '1', '.', ' ', '"', '&', "'", '/', ':', '<', '>', '@', '\\', '2', '0', 'c', '5'), minLength: 1, maxLength: 20 })
    .filter((s) => !s.startsWith(' ') && !s.endsWith(' '));
  fc.assert(
    fc.property(userInput, (s) => {
      const j = parseJid(`${escapeLocal(s)}@example.com`);
      assert.equal(unescapeLocal(j.local), s);
    }),
    { numRuns: 2000 },
  );
});
