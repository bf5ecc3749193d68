// XEP-0441 archiving preferences: parse/build and the always/never/roster decision.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allowedByPrefs, buildPrefs, parsePrefs, type MamPrefs } from '../../../src/modules/mam/prefs.ts';
import { parseJid } from '../../../src/jid/index.ts';
import { StanzaError } from '../../../src/stanza/errors.ts';
import { parseElement } from '../../../src/xml/parse-element.ts';

const NS = 'urn:xmpp:mam:2';
const prefs = (inner: string, def = 'roster') => parsePrefs(parseElement(`<prefs xmlns="${NS}" default="${def}">${inner}</prefs>`)!, 100);

test('parse and build round-trip, normalised and de-duplicated', () => {
  const p = prefs('<always><jid>Romeo@Montague.lit</jid><jid>romeo@montague.lit</jid></always><never><jid>montague@montague.lit</jid></never>');
  assert.deepEqual(p, { default: 'roster', always: ['romeo@montague.lit'], never: ['montague@montague.lit'] });
  assert.equal(buildPrefs(p).toString(), `<prefs xmlns="${NS}" default="roster"><always><jid>romeo@montague.lit</jid></always><never><jid>montague@montague.lit</jid></never></prefs>`);
  assert.equal(buildPrefs({ default: 'always', always: [], never: [] }).toString(), `<prefs xmlns="${NS}" default="always"><always/><never/></prefs>`);
});

test('a JID in both lists is never archived', () => {
  assert.deepEqual(prefs('<always><jid>a@b</jid></always><never><jid>a@b</jid></never>').always, []);
});

test('bad default or JID is an error', () => {
  assert.throws(() => prefs('', 'sometimes'), (e: unknown) => e instanceof StanzaError && e.condition === 'bad-request');
  assert.throws(() => prefs('<never><jid>@x</jid></never>'), (e: unknown) => e instanceof StanzaError && e.condition === 'jid-malformed');
});

test('decision: never over always over the default; bare entries cover resources; roster asked only for roster', async () => {
  const p: MamPrefs = { default: 'roster', always: ['friend@x', 'bot@x/only'], never: ['foe@x'] };
  let asked = 0;
  const inRoster = (answer: boolean) => async () => {
    asked++;
    return answer;
  };
  assert.equal(await allowedByPrefs(p, parseJid('foe@x/phone'), inRoster(true)), false);
  assert.equal(await allowedByPrefs(p, parseJid('friend@x/phone'), inRoster(false)), true);
  assert.equal(await allowedByPrefs(p, parseJid('bot@x/only'), inRoster(false)), true);
  assert.equal(asked, 0);
  assert.equal(await allowedByPrefs(p, parseJid('bot@x/other'), inRoster(false)), false);
  assert.equal(await allowedByPrefs(p, parseJid('contact@x'), inRoster(true)), true);
  assert.equal(asked, 2);
  assert.equal(await allowedByPrefs({ ...p, default: 'always' }, parseJid('stranger@x'), inRoster(false)), true);
  assert.equal(await allowedByPrefs({ ...p, default: 'never' }, parseJid('stranger@x'), inRoster(true)), false);
});
