// The examples of RFC 7622 §3.5: fifteen valid JIDs (§3.5.1) and eight invalid ones (§3.5.2).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { JidError, parseJid } from '../../src/jid/index.ts';

describe('RFC 7622 §3.5.1 valid JIDs', () => {
  const valid: [number, string, string, string, string][] = [
    // [example, input, localpart, domainpart, resourcepart]
    [1, 'juliet@example.com', 'juliet', 'example.com', ''],
    [2, 'juliet@example.com/foo', 'juliet', 'example.com', 'foo'],
    [3, 'juliet@example.com/foo bar', 'juliet', 'example.com', 'foo bar'],
    [4, 'juliet@example.com/foo@bar', 'juliet', 'example.com', 'foo@bar'],
    [5, 'foo\\20bar@example.com', 'foo\\20bar', 'example.com', ''],
    [6, 'fussball@example.com', 'fussball', 'example.com', ''],
    [7, 'fu\u00DFball@example.com', 'fu\u00DFball', 'example.com', ''],
    [8, '\u03C0@example.com', '\u03C0', 'example.com', ''],
    [9, '\u03A3@example.com/foo', '\u03C3', 'example.com', 'foo'], // case-mapped to small sigma
    [10, '\u03C3@example.com/foo', '\u03C3', 'example.com', 'foo'],
    [11, '\u03C2@example.com/foo', '\u03C2', 'example.com', 'foo'], // final sigma stays distinct
    [12, 'king@example.com/\u265A', 'king', 'example.com', '\u265A'],
    [13, 'example.com', '', 'example.com', ''],
    [14, 'example.com/foobar', '', 'example.com', 'foobar'],
    [15, 'a.example.com/b@example.net', '', 'a.example.com', 'b@example.net'],
  ];
  for (const [n, input, local, domain, resource] of valid) {
    test(`example ${n}: ${input}`, () => {
      const jid = parseJid(input);
      assert.deepEqual([jid.local, jid.domain, jid.resource], [local, domain, resource]);
    });
  }

  test('examples 9 and 10 are the same JID, example 11 is not', () => {
    assert.ok(parseJid('\u03A3@example.com/foo').equals(parseJid('\u03C3@example.com/foo')));
    assert.ok(!parseJid('\u03C3@example.com/foo').equals(parseJid('\u03C2@example.com/foo')));
  });

  test('examples 6 and 7 are different JIDs (no transitional ß mapping)', () => {
    assert.ok(!parseJid('fussball@example.com').equals(parseJid('fu\u00DFball@example.com')));
  });
});

describe('RFC 7622 §3.5.2 invalid JIDs', () => {
  const invalid: [number, string, string, RegExp][] = [
    // [example, input, failing part, message pattern]
    [16, '"juliet"@example.com', 'localpart', /'"'.*RFC 7622 §3\.3\.1/],
    [17, 'foo bar@example.com', 'localpart', /U\+0020 \(a space\)/],
    [18, 'juliet@example.com/', 'resourcepart', /empty/],
    [19, '@example.com/', 'localpart', /empty/],
    [20, 'henry\u2163@example.com', 'localpart', /U\+2163 \(a compatibility character\)/],
    [21, '\u265A@example.com', 'localpart', /U\+265A \(a symbol\)/],
    [22, 'juliet@', 'domainpart', /empty/],
    [23, '/foobar', 'domainpart', /empty/],
  ];
  for (const [n, input, part, message] of invalid) {
    test(`example ${n}: ${input}`, () => {
      assert.throws(
        () => parseJid(input),
        (err: unknown) => err instanceof JidError && err.part === part && message.test(err.message),
      );
    });
  }
});
