// XEP-0106 JID Escaping: the table of examples in §5.1, the exceptions of §4.3, and round trips.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { escapeLocal, JidError, parseJid, unescapeLocal } from '../../src/jid/index.ts';

describe('XEP-0106 §5.1 examples', () => {
  const table: [number, string, string][] = [
    // [example, user input (localpart), escaped localpart]
    [1, 'space cadet', 'space\\20cadet'],
    [2, 'call me "ishmael"', 'call\\20me\\20\\22ishmael\\22'],
    [3, 'at&t guy', 'at\\26t\\20guy'],
    [4, "d'artagnan", 'd\\27artagnan'],
    [5, '/.fanboy', '\\2f.fanboy'],
    [6, '::foo::', '\\3a\\3afoo\\3a\\3a'],
    [7, '<foo>', '\\3cfoo\\3e'],
    [8, 'user@host', 'user\\40host'],
    [9, 'c:\\net', 'c\\3a\\5cnet'],
    [10, 'c:\\\\net', 'c\\3a\\5c\\5cnet'],
    [11, 'c:\\cool stuff', 'c\\3a\\5ccool\\20stuff'],
    [12, 'c:\\5commas', 'c\\3a\\5c5commas'],
  ];
  for (const [n, input, escaped] of table) {
    test(`example ${n}: ${input}`, () => {
      assert.equal(escapeLocal(input), escaped);
      assert.equal(unescapeLocal(escaped), input);
      // the escaped form is a valid localpart that survives enforcement unchanged
      const jid = parseJid(`${escaped}@example.com`);
      assert.equal(jid.local, escaped);
      assert.equal(unescapeLocal(jid.local), input);
    });
  }
});

describe('XEP-0106 §4.3 exceptions: partial and unknown sequences are left alone', () => {
  for (const s of ['\\2plus\\2is\\4', 'foo\\bar', 'foob\\41r', '\\2F', 'trailing\\', '\\5', '\\zz']) {
    test(JSON.stringify(s), () => assert.equal(unescapeLocal(s), s));
  }
});

test('unescaping is a single pass: \\5c27 becomes \\27, not an apostrophe', () => {
  assert.equal(unescapeLocal('\\5c27'), '\\27');
  assert.equal(unescapeLocal('\\5c5c'), '\\5c');
});

test('a leading or trailing space cannot be escaped (XEP-0106 §4.1 rule 6)', () => {
  assert.throws(() => escapeLocal(' cadet'), JidError);
  assert.throws(() => escapeLocal('cadet '), JidError);
});

test('other characters pass through escaping unchanged', () => {
  assert.equal(escapeLocal('juliet.capulet+verona_ä'), 'juliet.capulet+verona_ä');
});
