// XEP-0045 §7.2.14 history limits: the smallest result of maxstanzas, seconds/since, maxchars and the room's bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { historyWindow, HistoryRing, parseHistoryRequest, selectHistory, type HistoryItem } from '../../../src/modules/muc/history.ts';
import { xml } from '../../../src/xml/element.ts';

const items: HistoryItem[] = [1, 2, 3, 4, 5].map((i) => ({ id: `m${i}`, timestamp: i * 1000, stanza: 'x'.repeat(10 * i) }));
const ids = (l: HistoryItem[]) => l.map((i) => i.id);
const limits = { defaultStanzas: 20, maxFetch: 100 };

test('parse: numbers and a since date; malformed attributes ignored', () => {
  const x = xml('x', {}, xml('history', { maxchars: '65000', maxstanzas: '-1', seconds: '180', since: '1970-01-01T00:00:03Z' }));
  assert.deepEqual(parseHistoryRequest(x), { maxchars: 65000, seconds: 180, since: 3000 });
  assert.deepEqual(parseHistoryRequest(undefined), {});
});

test('maxstanzas keeps the newest; the room bound caps it', () => {
  assert.deepEqual(ids(selectHistory(items, { maxstanzas: 2 }, historyWindow({ maxstanzas: 2 }, limits, 10_000))), ['m4', 'm5']);
  const w = historyWindow({ maxstanzas: 50 }, { defaultStanzas: 20, maxFetch: 3 }, 10_000);
  assert.equal(w.limit, 3);
  assert.deepEqual(ids(selectHistory(items, {}, historyWindow({}, { defaultStanzas: 1, maxFetch: 9 }, 0))), ['m5'], 'default when not asked');
});

test('seconds and since: the later start wins', () => {
  const w = historyWindow({ seconds: 2, since: 2500 }, limits, 5000);
  assert.equal(w.start, 3000);
  assert.deepEqual(ids(selectHistory(items, {}, w)), ['m3', 'm4', 'm5']);
});

test('maxchars keeps complete stanzas only, newest first, and 0 sends nothing', () => {
  const w = historyWindow({}, limits, 0);
  assert.deepEqual(ids(selectHistory(items, { maxchars: 95 }, w)), ['m4', 'm5'], '50 + 40 fit, 30 more would not');
  assert.deepEqual(ids(selectHistory(items, { maxchars: 49 }, w)), [], 'the newest alone is 50');
  assert.deepEqual(ids(selectHistory(items, { maxchars: 0 }, w)), []);
});

test('the in-memory ring keeps the newest up to its capacity', () => {
  const r = new HistoryRing(3);
  for (const i of items) r.push(i);
  assert.deepEqual(ids(r.recent(10)), ['m3', 'm4', 'm5']);
  assert.deepEqual(ids(r.recent(2, 4000)), ['m4', 'm5']);
  assert.equal(r.find('m4')?.timestamp, 4000);
});
