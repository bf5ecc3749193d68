// XEP-0059 Result Set Management: parsing a request's <set/>, building a response's <set/>, and
// paging an in-memory list forwards, backwards, by index and to the count only.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRsmSet, NS_RSM, pageSize, paginate, parseRsm } from '../../src/rsm/index.ts';
import { StanzaError } from '../../src/stanza/errors.ts';
import { parseElement } from '../../src/xml/parse-element.ts';

const q = (set: string) => parseElement(`<query xmlns="jabber:iq:search">${set}</query>`)!;
const rsm = (inner: string) => parseRsm(q(`<set xmlns="${NS_RSM}">${inner}</set>`));
const condition = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    if (e instanceof StanzaError) return e.condition;
    throw e;
  }
  return 'no error';
};

describe('RSM request', () => {
  test('absent <set/> is undefined; fields parse', () => {
    assert.equal(parseRsm(q('')), undefined);
    assert.deepEqual(rsm('<max>10</max><after>peterpan@neverland.lit</after>'), { max: 10, after: 'peterpan@neverland.lit' });
    assert.deepEqual(rsm('<max>10</max><before>peter@pixyland.org</before>'), { max: 10, before: 'peter@pixyland.org' });
    assert.deepEqual(rsm('<max>10</max><index>371</index>'), { max: 10, index: 371 });
  });

  test('§2.5: an empty <before/> asks for the last page', () => {
    assert.deepEqual(rsm('<max>10</max><before/>'), { max: 10, before: '' });
  });

  test('§2.7: <max>0</max> asks for the count only', () => {
    assert.deepEqual(rsm('<max>0</max>'), { max: 0 });
  });

  test('malformed max, index or an empty after is bad-request', () => {
    for (const bad of ['<max>-1</max>', '<max>ten</max>', '<max>1.5</max>', '<max></max>', '<index>x</index>', '<after/>']) {
      assert.equal(condition(() => rsm(bad)), 'bad-request', bad);
    }
  });

  test('elements in another namespace are not RSM', () => {
    assert.deepEqual(parseRsm(q(`<set xmlns="${NS_RSM}"><max xmlns="urn:other">5</max></set>`)), {});
  });

  test('pageSize: request max, else default, never above the limit', () => {
    assert.equal(pageSize(undefined, 50, 250), 50);
    assert.equal(pageSize({ max: 10 }, 50, 250), 10);
    assert.equal(pageSize({ max: 10_000 }, 50, 250), 250);
    assert.equal(pageSize({}, 50, 250), 50);
  });
});

describe('RSM response', () => {
  test('first (with index), last and count', () => {
    assert.equal(buildRsmSet({ first: 'a', firstIndex: 0, last: 'b', count: 800 }).toString(),
      `<set xmlns="${NS_RSM}"><first index="0">a</first><last>b</last><count>800</count></set>`);
  });
  test('§2.2: an empty page has no first/last; count may be omitted', () => {
    assert.equal(buildRsmSet({ count: 790 }).toString(), `<set xmlns="${NS_RSM}"><count>790</count></set>`);
    assert.equal(buildRsmSet({ first: 'a', last: 'a' }).toString(), `<set xmlns="${NS_RSM}"><first>a</first><last>a</last></set>`);
  });
});

describe('paginate', () => {
  const items = Array.from({ length: 7 }, (_, i) => `item${i}`);
  const uid = (s: string) => s;

  test('forwards page by page with after, exactly once, complete on the last page', () => {
    const seen: string[] = [];
    let after: string | undefined;
    const completes: boolean[] = [];
    for (let guard = 0; guard < 10; guard++) {
      const p = paginate(items, uid, after === undefined ? { max: 3 } : { max: 3, after }, 3);
      seen.push(...p.items);
      completes.push(p.complete);
      assert.equal(p.count, 7);
      assert.equal(p.firstIndex, seen.length - p.items.length);
      if (p.complete) break;
      after = p.last;
    }
    assert.deepEqual(seen, items);
    assert.deepEqual(completes, [false, false, true]);
  });

  test('backwards from an empty before, then before=first', () => {
    const last = paginate(items, uid, { max: 3, before: '' }, 3);
    assert.deepEqual(last.items, ['item4', 'item5', 'item6']);
    assert.equal(last.firstIndex, 4);
    assert.equal(last.complete, false);
    const prev = paginate(items, uid, { max: 3, before: last.first }, 3);
    assert.deepEqual(prev.items, ['item1', 'item2', 'item3']);
    const first = paginate(items, uid, { max: 3, before: prev.first }, 3);
    assert.deepEqual(first.items, ['item0']);
    assert.equal(first.complete, true);
  });

  test('index jumps; past the end gives an empty page (§2.6); max 0 gives the count', () => {
    assert.deepEqual(paginate(items, uid, { max: 2, index: 3 }, 2).items, ['item3', 'item4']);
    const past = paginate(items, uid, { max: 2, index: 70 }, 2);
    assert.deepEqual(past.items, []);
    assert.equal(past.first, undefined);
    const count = paginate(items, uid, { max: 0 }, 0);
    assert.deepEqual([count.items, count.count], [[], 7]);
  });

  test('§2.4: an unknown UID is item-not-found', () => {
    assert.equal(condition(() => paginate(items, uid, { max: 2, after: 'gone' }, 2)), 'item-not-found');
    assert.equal(condition(() => paginate(items, uid, { max: 2, before: 'gone' }, 2)), 'item-not-found');
  });

  test('an empty list is one complete empty page', () => {
    const p = paginate([], uid, undefined, 10);
    assert.deepEqual([p.items, p.complete, p.count, p.first], [[], true, 0, undefined]);
  });
});
