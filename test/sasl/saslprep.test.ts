// Password preparation, PRECIS OpaqueString (RFC 8265 §4.2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { saslPrepPassword, SaslPrepError } from '../../src/sasl/index.ts';

test('OpaqueString: ASCII passwords are unchanged', () => {
  assert.equal(saslPrepPassword('pencil'), 'pencil');
  assert.equal(saslPrepPassword(' Correct Horse '), ' Correct Horse ');
});

test('OpaqueString: non-ASCII spaces map to U+0020 (RFC 8265 §4.2.2 step 2)', () => {
  assert.equal(saslPrepPassword('a\u00a0b\u2003c\u3000d'), 'a b c d');
});

test('OpaqueString: NFC normalisation, no case mapping and no compatibility mapping', () => {
  assert.equal(saslPrepPassword('e\u0301'), '\u00e9');
  assert.equal(saslPrepPassword('PaSS'), 'PaSS');
  assert.equal(saslPrepPassword('\u2168'), '\u2168'); // ROMAN NUMERAL NINE stays (NFC, not NFKC)
  assert.equal(saslPrepPassword('πß龍😀'), 'πß龍😀');
});

test('OpaqueString: empty, control, format, ignorable, unassigned and lone-surrogate passwords are refused', () => {
  for (const s of ['', 'a\u0000b', 'tab\t', 'nl\n', '\u007f', 'soft\u00adhyphen', 'zw\u200bsp', 'bom\ufeff', '\ufdd0', '\u0378', 'x\ud800', 'line\u2028', '\ue000', 'jamo\u1100']) {
    assert.throws(() => saslPrepPassword(s), SaslPrepError, JSON.stringify(s));
  }
});

test('OpaqueString: preparation is idempotent', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 20 }), (s) => {
      let once: string;
      try {
        once = saslPrepPassword(s);
      } catch (e) {
        assert.ok(e instanceof SaslPrepError);
        return;
      }
      assert.equal(saslPrepPassword(once), once);
    }),
  );
});
