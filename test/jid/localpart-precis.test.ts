// IdentifierClass rules for localparts (RFC 8264 §4.2, §8, §9), the contextual rules of
// RFC 5892 Appendix A, the Bidi Rule (RFC 5893) and RFC 7622's excluded characters.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { JidError, jid, tryParseJid } from '../../src/jid/index.ts';
import { derivedProperty } from '../../src/jid/precis-class.ts';

function localOk(local: string): boolean {
  return tryParseJid(`${local}@example.com`) !== null;
}

describe('excluded characters (RFC 7622 §3.3.1)', () => {
  for (const c of ['"', '&', "'", '/', ':', '<', '>', '@']) {
    test(`'${c}' is not allowed in a localpart`, () => {
      assert.throws(
        () => jid(`a${c}b`, 'example.com'),
        (err: unknown) => err instanceof JidError && err.part === 'localpart' && err.message.includes(`'${c}'`),
      );
    });
  }
  test('other printable ASCII is allowed', () => {
    for (const local of ['a+b', 'a.b', 'a_b', 'a-b', 'a!b', 'a#b', 'a$b', 'a%b', 'a*b', 'a=b', 'a?b', 'a^b', 'a`b', 'a{b}', 'a|b', 'a~b', 'a\\b', 'a[b]', 'a(b)', 'a,b', 'a;b']) {
      assert.ok(localOk(local), local);
    }
  });
});

describe('IdentifierClass (RFC 8264 §4.2)', () => {
  test('letters and digits of any script are allowed', () => {
    for (const local of ['juliet', 'ромео', 'τάκης', '日本語', 'مرحبا', 'שלום', '१२३', '한국어', 'ǆ'.normalize('NFKC')]) {
      assert.ok(localOk(local), local);
    }
  });
  test('combining marks are allowed after a base character', () => {
    assert.ok(localOk('n\u0303'));
  });

  const disallowed: [string, string][] = [
    ['space', 'a b'],
    ['no-break space', 'a\u00A0b'],
    ['symbol', 'a\u2665b'],
    ['emoji', 'a\u{1F600}b'],
    ['non-ASCII punctuation', 'a\u2014b'],
    ['control', 'a\u0007b'],
    ['C1 control', 'a\u0085b'],
    ['unassigned code point', 'a\u0378b'],
    ['private use', 'a\uE000b'],
    ['noncharacter', 'a\uFDD0b'],
    ['default-ignorable (soft hyphen)', 'a\u00ADb'],
    ['default-ignorable (zero width space)', 'a\u200Bb'],
    ['bidi control', 'a\u202Eb'],
    ['lone surrogate', 'a\uD800b'],
    ['conjoining Hangul jamo', '\u1100\u1161'],
    ['compatibility ligature', '\uFB01'],
    ['roman numeral', '\u2163'],
    ['titlecase letter (has compat)', '\u01C5'],
    ['superscript digit', 'a\u00B2'],
    ['exception: ARABIC TATWEEL', '\u0628\u0640\u0628'],
    ['exception: VERTICAL KANA REPEAT MARK', '\u3042\u3031'],
  ];
  for (const [what, local] of disallowed) {
    test(`${what} is not allowed`, () => assert.ok(!localOk(local), JSON.stringify(local)));
  }

  test('RFC 5892 exceptions that are PVALID', () => {
    for (const local of ['\u00DF', '\u03C2', '\u3007']) assert.ok(localOk(local), local);
  });

  test('FreeformClass allows what IdentifierClass disallows only as ID_DIS', () => {
    for (const cp of [0x20, 0x2665, 0x2014, 0x2163]) {
      assert.equal(derivedProperty(cp, 'identifier'), 'DISALLOWED');
      assert.equal(derivedProperty(cp, 'freeform'), 'PVALID');
    }
    for (const cp of [0x07, 0xe000, 0x0378, 0x00ad]) assert.notEqual(derivedProperty(cp, 'freeform'), 'PVALID');
  });
});

describe('contextual rules (RFC 5892 Appendix A)', () => {
  test('A.1 ZWNJ after a virama, or between joining letters', () => {
    assert.ok(localOk('\u0915\u094D\u200C\u0937')); // Devanagari: KA, VIRAMA, ZWNJ, SSA
    assert.ok(localOk('\u0628\u200C\u0628')); // Arabic BEH ZWNJ BEH (dual-joining on both sides)
    assert.ok(!localOk('a\u200Cb'));
    assert.ok(!localOk('\u200C'));
  });
  test('A.2 ZWJ only after a virama', () => {
    assert.ok(localOk('\u0915\u094D\u200D\u0937'));
    assert.ok(!localOk('\u0628\u200D\u0628'));
  });
  test('A.3 MIDDLE DOT only between two l', () => {
    assert.ok(localOk('col\u00B7lecci\u00F3'));
    assert.ok(localOk('COL\u00B7LECCI\u00D3')); // case mapping happens before the rule is checked
    assert.ok(!localOk('a\u00B7b'));
  });
  test('A.4 GREEK LOWER NUMERAL SIGN before a Greek character', () => {
    assert.ok(localOk('\u0375\u03B1'));
    assert.ok(!localOk('\u0375a'));
  });
  test('A.5/A.6 Hebrew geresh and gershayim after a Hebrew character', () => {
    assert.ok(localOk('\u05D0\u05F3'));
    assert.ok(!localOk('a\u05F4'));
  });
  test('A.7 KATAKANA MIDDLE DOT with Hiragana, Katakana or Han', () => {
    assert.ok(localOk('\u30A2\u30FB\u30A4'));
    assert.ok(!localOk('a\u30FBb'));
  });
  test('A.8/A.9 Arabic-Indic and extended Arabic-Indic digits do not mix', () => {
    assert.ok(localOk('\u0628\u0661'));
    assert.ok(localOk('\u0628\u06F1'));
    assert.ok(!localOk('\u0628\u0661\u06F1'));
  });
});

describe('Bidi Rule (RFC 5893 §2, RFC 8265 §3.3.1 rule 5)', () => {
  test('right-to-left localparts that satisfy the rule', () => {
    assert.ok(localOk('\u05E9\u05DC\u05D5\u05DD')); // Hebrew
    assert.ok(localOk('\u0645\u0631\u062D\u0628\u0627123')); // Arabic letters then European digits
  });
  test('a right-to-left string must start with R or AL', () => {
    assert.ok(!localOk('1\u05D0'));
  });
  test('left-to-right text must not contain R or AL characters', () => {
    assert.ok(!localOk('a\u05D0'));
  });
  test('European and Arabic-Indic digits must not mix in right-to-left text', () => {
    assert.ok(!localOk('\u05D01\u0661'));
  });
  test('strings without right-to-left code points are not subject to the rule', () => {
    assert.ok(localOk('1a')); // would break condition 1 if the rule applied
  });
});
