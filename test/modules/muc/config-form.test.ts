// The muc#roomconfig form: defaults round trip, validation (bad-request vs not-acceptable), status codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyConfigForm, configChangeCodes, configForm } from '../../../src/modules/muc/config-form.ts';
import { defaultConfig } from '../../../src/modules/muc/types.ts';
import { buildForm } from '../../../src/forms/index.ts';
import { StanzaError } from '../../../src/stanza/errors.ts';
import { xml } from '../../../src/xml/element.ts';

const limits = { maxUsersLimit: 1000, maxHistoryLimit: 100 };
const base = defaultConfig({ maxUsers: 200, maxHistoryFetch: 50 });
const submit = (fields: Record<string, string[]>, formType = 'http://jabber.org/protocol/muc#roomconfig') =>
  xml('x', { xmlns: 'jabber:x:data', type: 'submit' },
    xml('field', { var: 'FORM_TYPE' }, xml('value', {}, formType)),
    Object.entries(fields).map(([k, vs]) => xml('field', { var: k }, vs.map((v) => xml('value', {}, v)))));
const condition = (f: () => unknown) => {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (e instanceof StanzaError) return e.condition;
    throw e;
  }
};

test('the offered form, submitted back unchanged, keeps the configuration', () => {
  const form = configForm({ jid: 'r@c.example', config: base }, limits);
  const x = buildForm({ ...form, type: 'submit' });
  assert.deepEqual(applyConfigForm(x, base, limits), base);
});

test('an empty submission (instant room) keeps the defaults', () => {
  assert.deepEqual(applyConfigForm(xml('x', { xmlns: 'jabber:x:data', type: 'submit' }), base, limits), base);
});

test('fields change the configuration; booleans as true/false or 1/0', () => {
  const c = applyConfigForm(submit({ 'muc#roomconfig_persistentroom': ['true'], 'muc#roomconfig_maxusers': ['25'], 'muc#roomconfig_whois': ['anyone'], 'muc#roomconfig_passwordprotectedroom': ['1'], 'muc#roomconfig_roomsecret': ['s3cret'], 'muc#maxhistoryfetch': ['500'], 'muc#roomconfig_enablearchiving': ['0'] }), base, limits);
  assert.equal(c.persistent, true);
  assert.equal(c.maxUsers, 25);
  assert.equal(c.whois, 'anyone');
  assert.equal(c.password, 's3cret');
  assert.equal(c.maxHistoryFetch, 100, 'capped by the service');
  assert.equal(c.archive, false, 'Prosody-style alias');
});

test('bad values are not-acceptable; a foreign FORM_TYPE or form type is bad-request', () => {
  assert.equal(condition(() => applyConfigForm(submit({ 'muc#roomconfig_maxusers': ['lots'] }), base, limits)), 'not-acceptable');
  assert.equal(condition(() => applyConfigForm(submit({ 'muc#roomconfig_membersonly': ['yes'] }), base, limits)), 'not-acceptable');
  assert.equal(condition(() => applyConfigForm(submit({ 'muc#roomconfig_whois': ['none'] }), base, limits)), 'not-acceptable', 'fully anonymous was dropped');
  assert.equal(condition(() => applyConfigForm(submit({ 'muc#roomconfig_allowpm': ['everybody'] }), base, limits)), 'not-acceptable');
  assert.equal(condition(() => applyConfigForm(submit({ 'muc#roomconfig_roomname': ['a', 'b'] }), base, limits)), 'not-acceptable', 'one value for text-single');
  assert.equal(condition(() => applyConfigForm(submit({ 'muc#roomconfig_passwordprotectedroom': ['1'] }), base, limits)), 'not-acceptable', 'no password');
  assert.equal(condition(() => applyConfigForm(submit({}, 'urn:example'), base, limits)), 'bad-request');
  assert.equal(condition(() => applyConfigForm(xml('x', { xmlns: 'jabber:x:data', type: 'result' }), base, limits)), 'bad-request');
});

test('§10.2.1 status codes for a change', () => {
  assert.deepEqual(configChangeCodes(base, base), []);
  assert.deepEqual(configChangeCodes(base, { ...base, archive: false }), [171]);
  assert.deepEqual(configChangeCodes(base, { ...base, whois: 'anyone', name: 'x' }), [172, 104]);
  assert.deepEqual(configChangeCodes({ ...base, whois: 'anyone', archive: false }, { ...base }), [170, 173]);
});
