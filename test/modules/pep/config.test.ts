// Node configuration: XEP-0163 §8 defaults, form round trip (XEP-0060 §8.2) and publish-options
// precondition matching (XEP-0060 §7.1.5).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyValues, ConfigError, configForm, defaultConfig, fromStored, toStored, unmetPrecondition } from '../../../src/modules/pep/config.ts';
import { parseForm } from '../../../src/forms/index.ts';

const MAX = 256;
const values = (o: Record<string, string | string[]>) => new Map(Object.entries(o).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));

describe('XEP-0163 §8 defaults', () => {
  test('presence access, notifications, last item on presence', () => {
    const c = defaultConfig();
    assert.equal(c.accessModel, 'presence');
    assert.equal(c.deliverNotifications, true);
    assert.equal(c.sendLastPublishedItem, 'on_sub_and_presence');
  });
});

describe('configuration values', () => {
  test('survive the store round trip', () => {
    const c = applyValues(defaultConfig(), values({ 'pubsub#access_model': 'whitelist', 'pubsub#max_items': 'max', 'pubsub#persist_items': '1', 'pubsub#roster_groups_allowed': ['b', 'a'] }), MAX);
    assert.deepEqual(fromStored(toStored(c), MAX), c);
    assert.deepEqual(c.rosterGroupsAllowed, ['a', 'b']);
  });
  test('reject values the service cannot honour', () => {
    assert.throws(() => applyValues(defaultConfig(), values({ 'pubsub#access_model': 'authorize' }), MAX), ConfigError);
    assert.throws(() => applyValues(defaultConfig(), values({ 'pubsub#max_items': '257' }), MAX), ConfigError);
    assert.throws(() => applyValues(defaultConfig(), values({ 'pubsub#max_items': '0' }), MAX), ConfigError);
    assert.throws(() => applyValues(defaultConfig(), values({ 'pubsub#persist_items': 'yes' }), MAX), ConfigError);
  });
  test('unknown fields are ignored in a configure form, refused when strict (publish-options)', () => {
    assert.doesNotThrow(() => applyValues(defaultConfig(), values({ 'pubsub#itemreply': 'owner' }), MAX));
    assert.throws(() => applyValues(defaultConfig(), values({ 'pubsub#itemreply': 'owner' }), MAX, true), ConfigError);
  });
  test('the §8.2 form carries FORM_TYPE and the current values', () => {
    const form = parseForm(configForm(applyValues(defaultConfig(), values({ 'pubsub#access_model': 'open' }), MAX)));
    assert.equal(form.type, 'form');
    assert.deepEqual(form.fields.find((f) => f.var === 'FORM_TYPE')?.values, ['http://jabber.org/protocol/pubsub#node_config']);
    assert.deepEqual(form.fields.find((f) => f.var === 'pubsub#access_model')?.values, ['open']);
  });
});

describe('XEP-0060 §7.1.5 preconditions', () => {
  const bookmarks = applyValues(defaultConfig(), values({ 'pubsub#access_model': 'whitelist', 'pubsub#max_items': 'max', 'pubsub#send_last_published_item': 'never', 'pubsub#persist_items': 'true' }), MAX);
  test('hold when every field matches, booleans and max normalised', () => {
    assert.equal(unmetPrecondition(bookmarks, values({ 'pubsub#persist_items': '1', 'pubsub#max_items': String(MAX), 'pubsub#access_model': 'whitelist' }), MAX), null);
  });
  test('fail on a different value', () => {
    assert.match(unmetPrecondition(bookmarks, values({ 'pubsub#access_model': 'open' }), MAX) ?? '', /access_model/);
    assert.notEqual(unmetPrecondition(defaultConfig(), values({ 'pubsub#max_items': 'max' }), MAX), null);
  });
  test('fail on an unknown field or an impossible value', () => {
    assert.notEqual(unmetPrecondition(bookmarks, values({ 'pubsub#made_up': 'x' }), MAX), null);
    assert.notEqual(unmetPrecondition(bookmarks, values({ 'pubsub#access_model': 'authorize' }), MAX), null);
  });
});
