// src/jid relies on tables inside tr46 (tr46/lib/regexes.js) for Bidi_Class, Joining_Type and
// virama, which JavaScript's \p{...} cannot express. This fails loudly if a tr46 upgrade moves them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tables from 'tr46/lib/regexes.js';

test('tr46 still ships the Unicode tables the PRECIS code uses', () => {
  for (const name of ['combiningClassVirama', 'validZWNJ', 'bidiDomain', 'bidiS1LTR', 'bidiS1RTL', 'bidiS2', 'bidiS3', 'bidiS4EN', 'bidiS4AN', 'bidiS5', 'bidiS6'] as const) {
    assert.ok(tables[name] instanceof RegExp, name);
  }
  assert.ok(tables.combiningClassVirama.test('\u094D'));
  assert.ok(tables.bidiDomain.test('\u05D0'));
  assert.ok(!tables.bidiDomain.test('a'));
});
