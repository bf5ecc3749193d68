// The Jid value: bare(), isBare, withResource(), equals(), toString(), jid() and tryParseJid().
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Jid, JidError, jid, parseJid, tryParseJid } from '../../src/jid/index.ts';

test('parts are exposed, absent ones as empty strings', () => {
  const full = parseJid('juliet@example.com/balcony');
  assert.deepEqual([full.local, full.domain, full.resource], ['juliet', 'example.com', 'balcony']);
  const domain = parseJid('example.com');
  assert.deepEqual([domain.local, domain.domain, domain.resource], ['', 'example.com', '']);
});

test('bare() drops the resource and returns the same object when already bare', () => {
  const full = parseJid('juliet@example.com/balcony');
  assert.equal(full.isBare, false);
  assert.equal(full.bare().toString(), 'juliet@example.com');
  assert.equal(full.bare().isBare, true);
  assert.equal(full.bare(), full.bare());
  const bare = parseJid('juliet@example.com');
  assert.equal(bare.bare(), bare);
});

test('withResource() validates the new resource; an empty one gives the bare JID', () => {
  const bare = parseJid('juliet@example.com');
  assert.equal(bare.withResource('Orchard').toString(), 'juliet@example.com/Orchard');
  assert.equal(bare.withResource('a\u00A0b').resource, 'a b');
  assert.equal(bare.withResource('').toString(), 'juliet@example.com');
  assert.throws(() => bare.withResource('bad\u0000'), JidError);
});

test('equals() compares normalised parts', () => {
  assert.ok(parseJid('JULIET@EXAMPLE.COM/r').equals(jid('juliet', 'example.com', 'r')));
  assert.ok(!parseJid('juliet@example.com/r').equals(parseJid('juliet@example.com')));
  assert.ok(!parseJid('juliet@example.com').equals(parseJid('example.com')));
  assert.ok(!parseJid('juliet@example.com').equals(null));
  assert.ok(!parseJid('juliet@example.com').equals(undefined));
});

test('toString() and JSON give the wire form', () => {
  const j = jid('Romeo', 'Example.NET', 'Orchard');
  assert.equal(String(j), 'romeo@example.net/Orchard');
  assert.equal(JSON.stringify({ to: j }), '{"to":"romeo@example.net/Orchard"}');
});

test('jid() treats empty or missing local and resource parts as absent', () => {
  assert.equal(jid(null, 'example.com').toString(), 'example.com');
  assert.equal(jid('', 'example.com', '').toString(), 'example.com');
  assert.equal(jid(undefined, 'example.com', 'r').toString(), 'example.com/r');
});

test('jid() validates each part, so separators cannot leak between parts', () => {
  assert.throws(() => jid('a@b', 'example.com'), (e: unknown) => e instanceof JidError && e.part === 'localpart');
  assert.throws(() => jid('a', 'example.com/evil'), (e: unknown) => e instanceof JidError && e.part === 'domainpart');
  assert.throws(() => jid('a', 'evil@example.com'), (e: unknown) => e instanceof JidError && e.part === 'domainpart');
  assert.equal(jid('a', 'example.com', 'x/y@z').resource, 'x/y@z');
});

test('the constructor validates like jid()', () => {
  assert.equal(new Jid('Juliet', 'EXAMPLE.com', 'r').toString(), 'juliet@example.com/r');
  assert.throws(() => new Jid('a b', 'example.com'), JidError);
});

test('Jid instances are frozen, so cached ones can be shared safely', () => {
  const j = parseJid('juliet@example.com');
  assert.ok(Object.isFrozen(j));
  assert.throws(() => {
    (j as { local: string }).local = 'mallory';
  }, TypeError);
});

test('parseJid() returns the cached instance for repeated and canonical input', () => {
  const a = parseJid('Juliet@Example.com/r');
  assert.equal(parseJid('Juliet@Example.com/r'), a);
  assert.equal(parseJid('juliet@example.com/r'), a);
});

test('tryParseJid() returns null instead of throwing', () => {
  assert.equal(tryParseJid('juliet@'), null);
  assert.equal(tryParseJid('a b@example.com'), null);
  assert.equal(tryParseJid('juliet@example.com')?.local, 'juliet');
});

test('parseJid() of a non-string throws JidError', () => {
  assert.throws(() => parseJid(undefined as unknown as string), JidError);
  assert.throws(() => parseJid(42 as unknown as string), JidError);
});

test('the localpart ends at the last @ before the resource; both parts reject @', () => {
  assert.throws(() => parseJid('user@host@example.com'), (e: unknown) => e instanceof JidError && e.part === 'localpart');
  assert.equal(parseJid('example.com/user@host').resource, 'user@host');
});
