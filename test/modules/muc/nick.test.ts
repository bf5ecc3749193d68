// Room nicknames: RFC 8266 Nickname profile, the 64-byte limit, the New MUC address ban.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { enforceNick, nickKey, NickError, validateNick } from '../../../src/modules/muc/nick.ts';
import { StanzaError } from '../../../src/stanza/errors.ts';

const conditionOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof StanzaError) return e.condition;
    throw e;
  }
  return 'ok';
};

test('RFC 8266 §2.2: spaces mapped, trimmed and collapsed; NFKC; no case mapping on enforcement', () => {
  assert.equal(enforceNick('  Witch\u00A0  Hazel '), 'Witch Hazel');
  assert.equal(enforceNick('Ｈｅｃａｔｅ'), 'Hecate', 'fullwidth folds under NFKC');
  assert.equal(enforceNick('Anne'), 'Anne');
  assert.throws(() => enforceNick('   '), NickError);
  assert.throws(() => enforceNick('bell\u0007'), NickError, 'control characters are not in the FreeformClass');
});

test('RFC 8266 §2.4: comparison is case-insensitive after enforcement', () => {
  assert.equal(nickKey(enforceNick('ANNE')), nickKey(enforceNick('anne')));
  assert.notEqual(nickKey(enforceNick('anne')), nickKey(enforceNick('ann')));
  assert.equal(nickKey(enforceNick('Ｂob')), nickKey(enforceNick('bob')));
});

test('validateNick answers with the XEP-0045 / muc.md §5 conditions', () => {
  assert.equal(conditionOf(() => validateNick('')), 'jid-malformed');
  assert.equal(conditionOf(() => validateNick(' ')), 'jid-malformed');
  assert.equal(conditionOf(() => validateNick('é'.repeat(33))), 'jid-malformed', '66 bytes');
  assert.equal(conditionOf(() => validateNick('é'.repeat(32))), 'ok', '64 bytes');
  assert.equal(conditionOf(() => validateNick('-q3v9LmZ0c1dxYW5vbkJvQ2')), 'not-acceptable');
  assert.equal(conditionOf(() => validateNick('-short')), 'ok');
});
