// Domainparts (RFC 7622 §3.2): IDNA via UTS #46, IP literals, the trailing dot, label and length limits.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { toUnicode } from 'tr46';
import { domainToAscii, JidError, jid, parseJid, tryParseJid } from '../../src/jid/index.ts';

function domainOf(s: string): string {
  return parseJid(s).domain;
}

function throwsDomain(s: string, message?: RegExp): void {
  assert.throws(
    () => parseJid(s),
    (err: unknown) => err instanceof JidError && err.part === 'domainpart' && (!message || message.test(err.message)),
    s,
  );
}

describe('internationalized domain names', () => {
  test('U-label and A-label forms are the same domainpart, kept in Unicode form', () => {
    const unicode = parseJid('juliet@münchen.example');
    const ace = parseJid('juliet@xn--mnchen-3ya.example');
    assert.ok(unicode.equals(ace));
    assert.equal(ace.domain, 'münchen.example');
    assert.equal(parseJid('XN--MNCHEN-3YA.EXAMPLE').domain, 'münchen.example');
  });

  test('domains are lowercased, including non-ASCII letters', () => {
    assert.equal(domainOf('EXAMPLE.Com'), 'example.com');
    assert.equal(domainOf('MÜNCHEN.example'), 'münchen.example');
  });

  test('UTS #46 mapping: fullwidth letters and ideographic full stops', () => {
    assert.equal(domainOf('\uFF45\uFF58\uFF41\uFF4D\uFF50\uFF4C\uFF45.com'), 'example.com');
    assert.equal(domainOf('example\u3002com'), 'example.com');
  });

  test('nontransitional processing keeps deviation characters', () => {
    assert.equal(domainOf('faß.de'), 'faß.de');
    assert.notEqual(domainOf('faß.de'), domainOf('fass.de'));
  });

  test('CJK and RTL domains', () => {
    assert.equal(domainOf('例え.テスト'), '例え.テスト');
    assert.equal(domainOf('xn--r8jz45g.xn--zckzah'), '例え.テスト');
    assert.equal(domainOf('مثال.إختبار'), 'مثال.إختبار');
  });

  test('domainToAscii gives A-labels for DNS, SNI and certificates', () => {
    assert.equal(domainToAscii('münchen.example'), 'xn--mnchen-3ya.example');
    assert.equal(domainToAscii('Example.COM.'), 'example.com');
    assert.equal(domainToAscii('例え.テスト'), 'xn--r8jz45g.xn--zckzah');
    assert.equal(domainToAscii('[::1]'), '[::1]');
    assert.equal(domainToAscii('192.0.2.1'), '192.0.2.1');
    assert.throws(() => domainToAscii('a..b'), JidError);
  });
});

describe('invalid domain names', () => {
  test('characters other than letters, digits and hyphens (STD3 rules)', () => {
    throwsDomain('juliet@exa mple.com', /' '/);
    throwsDomain('juliet@exa_mple.com', /'_'/);
    throwsDomain('juliet@example.com:5222', /':'/);
    throwsDomain('juliet@exa<mple.com', /'<'/);
    throwsDomain('juliet@exa\u0000mple.com', /U\+0000/);
  });

  test('hyphen rules (RFC 5891 §4.2.3.1)', () => {
    throwsDomain('-example.com', /hyphen/);
    throwsDomain('example-.com', /hyphen/);
    throwsDomain('ab--cd.com', /positions 3-4/);
    assert.equal(domainOf('a-b.com'), 'a-b.com');
  });

  test('A-labels must decode to valid U-labels', () => {
    throwsDomain('xn--.com');
    throwsDomain('xn--abc.com'); // decodes to ASCII only
    throwsDomain('xn--zz-.com');
  });

  test('empty labels', () => {
    throwsDomain('a..b', /empty label/);
    throwsDomain('.example.com', /empty label/);
    throwsDomain('example.com..', /empty label/);
  });

  test('code points UTS #46 disallows, bidi and joiner rules', () => {
    throwsDomain('\uE000.example'); // private use
    throwsDomain('\uFFFD.example');
    throwsDomain('a\u05D0.example'); // bidi rule
    throwsDomain('a\u200Cb.example'); // ZWNJ without context
  });

  test('IDNA2008 code point rules that UTS #46 alone would let through', () => {
    throwsDomain('\u2665.example', /U\+2665 \(a symbol\).*RFC 5892/); // ♥, valid in UTS #46 (NV8)
    throwsDomain('xn--g6h.example', /U\+2665/); // the same as an A-label
    throwsDomain('\u{1F600}.example', /U\+1F600/); // emoji
    throwsDomain('a\u00B7b.example', /contextual rule/); // CONTEXTO, RFC 5892 A.3
    assert.equal(domainOf('l\u00B7l.example'), 'l\u00B7l.example');
  });
});

describe('trailing dot (RFC 7622 §3.2)', () => {
  test('one trailing dot is stripped before comparison', () => {
    assert.ok(parseJid('juliet@example.com.').equals(parseJid('juliet@example.com')));
    assert.equal(parseJid('example.com./res').toString(), 'example.com/res');
  });
  test('a domainpart of only a dot is empty', () => {
    throwsDomain('juliet@.', /empty/);
  });
});

describe('IP addresses (RFC 7622 §3.2, RFC 3986 §3.2.2)', () => {
  test('IPv4 addresses are accepted as they are', () => {
    assert.equal(domainOf('juliet@192.0.2.1/res'), '192.0.2.1');
    assert.equal(domainOf('juliet@192.0.2.1.'), '192.0.2.1');
  });
  test('IPv6 literals are accepted, hex lowercased', () => {
    assert.equal(domainOf('juliet@[2002:4559:1FE2::4559:1FE2]/res'), '[2002:4559:1fe2::4559:1fe2]');
    assert.equal(domainOf('[::1]'), '[::1]');
    assert.equal(domainOf('[::ffff:192.0.2.1]'), '[::ffff:192.0.2.1]');
    assert.equal(domainOf('[1:2:3:4:5:6:7:8]'), '[1:2:3:4:5:6:7:8]');
  });
  test('malformed IP literals are rejected', () => {
    for (const bad of ['[]', '[::1', '[1:2:3:4:5:6:7:8:9]', '[1::2::3]', '[12345::]', '[::g]', '[1.2.3.4::]', '[v1.fe]', '[::1%eth0]', '[::1].']) {
      assert.equal(tryParseJid(`juliet@${bad}`), null, bad);
    }
  });
});

describe('lengths', () => {
  test('a label may be 63 octets in ACE form, not 64', () => {
    assert.ok(tryParseJid(`${'a'.repeat(63)}.com`));
    throwsDomain(`${'a'.repeat(64)}.com`, /63/);
    // The A-label length is what counts: 34 characters of Japanese take 76 octets as an A-label.
    const japanese = '日本語のドメイン名はとても長くなることがありますので注意してください';
    assert.equal(japanese.length, 34);
    throwsDomain(`${japanese}.com`, /76 octets in ACE form/);
    assert.ok(tryParseJid(`${japanese.slice(0, 20)}.com`));
  });
  test('a domainpart may be 1023 octets, not 1024', () => {
    const d1023 = `${'a.'.repeat(511)}a`;
    assert.equal(d1023.length, 1023);
    assert.equal(jid(null, d1023).domain, d1023);
    throwsDomain(`${d1023}b`, /1024 octets, more than 1023/);
    // measured in UTF-8 of the Unicode form: 342 one-letter 'ü' labels and their dots are 1025 octets
    const umlauts = (n: number) => Array.from({ length: n }, () => 'ü').join('.');
    assert.ok(tryParseJid(umlauts(256)));
    throwsDomain(umlauts(342), /more than 1023/);
  });
});

test('the ASCII fast path gives what UTS #46 gives', () => {
  const name = fc
    // labels with '--' in positions 3-4 (A-labels) take the full path, which adds IDNA2008 checks
    .array(
      fc.string({ unit: fc.constantFrom('a', 'Z', '0', '-', 'x', 'n'), minLength: 1, maxLength: 6 }).filter((l) => l.slice(2, 4) !== '--'),
      { minLength: 1, maxLength: 3 },
    )
    .map((labels) => labels.join('.'));
  const options = { checkHyphens: true, checkBidi: true, checkJoiners: true, useSTD3ASCIIRules: true };
  fc.assert(
    fc.property(name, (d) => {
      const expected = toUnicode(d, options);
      const actual = tryParseJid(d);
      assert.equal(actual === null, expected.error, d);
      if (actual) assert.equal(actual.domain, expected.domain);
    }),
    { numRuns: 2000 },
  );
});
