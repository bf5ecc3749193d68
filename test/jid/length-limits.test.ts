// Each part is 1..1023 octets of UTF-8 after enforcement (RFC 7622 §3.2-3.4), so a JID is at most 3071.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JidError, jid, parseJid } from '../../src/jid/index.ts';

function throwsPart(f: () => unknown, part: string, message: RegExp): void {
  assert.throws(f, (err: unknown) => err instanceof JidError && err.part === part && message.test(err.message));
}

test('localpart: 1023 octets pass, 1024 fail, counted in UTF-8', () => {
  assert.equal(jid('a'.repeat(1023), 'example.com').local.length, 1023);
  throwsPart(() => jid('a'.repeat(1024), 'example.com'), 'localpart', /1024 octets/);
  assert.ok(jid('é'.repeat(511), 'example.com')); // 1022 octets
  throwsPart(() => jid('é'.repeat(512), 'example.com'), 'localpart', /1024 octets/);
  throwsPart(() => jid('日'.repeat(342), 'example.com'), 'localpart', /1026 octets/);
});

test('localpart length is measured after normalisation', () => {
  // 1023 fullwidth letters are 3069 octets as input but 1023 after width mapping
  assert.equal(jid('\uFF41'.repeat(1023), 'example.com').local, 'a'.repeat(1023));
});

test('resourcepart: 1023 octets pass, 1024 fail', () => {
  assert.equal(jid('a', 'example.com', 'r'.repeat(1023)).resource.length, 1023);
  throwsPart(() => jid('a', 'example.com', 'r'.repeat(1024)), 'resourcepart', /1024 octets/);
  throwsPart(() => jid('a', 'example.com', '\u{1F600}'.repeat(256)), 'resourcepart', /1024 octets/);
});

test('a JID of three maximal parts (3071 octets) parses', () => {
  const domain = Array.from({ length: 16 }, (_, i) => (i < 15 ? 'd'.repeat(63) : 'd'.repeat(1023 - 15 * 64))).join('.');
  const s = `${'l'.repeat(1023)}@${domain}/${'r'.repeat(1023)}`;
  assert.equal(s.length, 3071);
  assert.equal(parseJid(s).toString(), s);
});

test('absurdly long input is refused before normalisation', () => {
  throwsPart(() => parseJid('a'.repeat(100_000)), 'jid', /3071/);
});

test('empty parts where a separator is present are errors (RFC 7622 §3.1)', () => {
  throwsPart(() => parseJid(''), 'jid', /empty/);
  throwsPart(() => parseJid('@example.com'), 'localpart', /empty/);
  throwsPart(() => parseJid('juliet@example.com/'), 'resourcepart', /empty/);
  throwsPart(() => parseJid('juliet@/res'), 'domainpart', /empty/);
  throwsPart(() => parseJid('@'), 'localpart', /empty/);
  throwsPart(() => parseJid('/'), 'domainpart', /empty/);
});
