// ArchiveStore contract for imported messages (ArchiveEntry.timestamp, XEP-0227 import) and the
// groupchat filter (XEP-0313 'include-groupchat'): an imported message takes its own time and a
// place among the others by that time, keys stay unique within a millisecond, start/end see the
// imported times, and live messages still go after everything.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ArchiveEntry, ArchiveOwner } from '../../../src/storage/types.ts';
import { contract, withStorage } from './drivers.ts';

const juliet: ArchiveOwner = { username: 'juliet', domain: 'capulet.lit' };
const T0 = 1_700_000_000_000;
const DAY = 86_400_000;

const entry = (n: number, timestamp?: number, type?: string): ArchiveEntry => ({
  owner: juliet,
  with: 'romeo@montague.lit',
  direction: 'in',
  stanza: `<message xmlns="jabber:client" id="m${n}"${type ? ` type="${type}"` : ''}><body>${n}</body></message>`,
  timestamp,
});
const bodies = (items: { stanza: string }[]) => items.map((m) => Number(/<body>(\d+)</.exec(m.stanza)![1]));

contract('archive store: imported timestamps', (open) => {
  describe('imported messages', () => {
    test('keep their time and sort among live messages by it', async () => {
      const clock = { t: T0 };
      await withStorage(open, async (s) => {
        const [live1] = await s.archive.append([entry(1)]);
        assert.equal(live1.timestamp, T0);
        // Imported, older than everything, in two separate appends, out of order.
        const [old3] = await s.archive.append([entry(3, T0 - 1 * DAY + 5)]);
        const [old2] = await s.archive.append([entry(2, T0 - 2 * DAY)]);
        assert.equal(old3.timestamp, T0 - DAY + 5);
        assert.equal(old2.timestamp, T0 - 2 * DAY);
        clock.t += 1000;
        const [live4] = await s.archive.append([entry(4)]);
        assert.equal(live4.timestamp, T0 + 1000);
        const page = await s.archive.query(juliet, { limit: 10 });
        assert.deepEqual(bodies(page.items), [2, 3, 1, 4]);
        assert.deepEqual(page.items.map((m) => m.timestamp), [T0 - 2 * DAY, T0 - DAY + 5, T0, T0 + 1000]);
        assert.deepEqual([...page.items.map((m) => m.id)].sort(), page.items.map((m) => m.id));
        const b = await s.archive.bounds(juliet);
        assert.equal(b?.first.id, old2.id);
        assert.equal(b?.last.id, live4.id);
      }, { now: () => clock.t });
    });

    test('many in one millisecond get unique keys in append order, in one batch and across batches', async () => {
      const clock = { t: T0 };
      await withStorage(open, async (s) => {
        const at = T0 - 3 * DAY;
        const first = await s.archive.append(Array.from({ length: 20 }, (_, i) => entry(i, at)));
        const second = await s.archive.append(Array.from({ length: 20 }, (_, i) => entry(20 + i, at)));
        const ids = [...first, ...second].map((x) => x.id);
        assert.equal(new Set(ids).size, 40);
        for (const x of [...first, ...second]) assert.equal(x.timestamp, at);
        const page = await s.archive.query(juliet, { limit: 100 });
        assert.deepEqual(bodies(page.items), [...Array(40).keys()]);
        assert.deepEqual(page.items.map((m) => m.id), ids);
      }, { now: () => clock.t });
    });

    test('start and end select by the imported times', async () => {
      const clock = { t: T0 };
      await withStorage(open, async (s) => {
        await s.archive.append([entry(1, T0 - 3 * DAY), entry(2, T0 - 2 * DAY), entry(3, T0 - DAY)]);
        await s.archive.append([entry(4)]);
        const mid = await s.archive.query(juliet, { limit: 10, start: T0 - 2 * DAY, end: T0 - DAY });
        assert.deepEqual(bodies(mid.items), [2, 3]);
        const before = await s.archive.query(juliet, { limit: 10, end: T0 - 2 * DAY - 1 });
        assert.deepEqual(bodies(before.items), [1]);
        const recent = await s.archive.query(juliet, { limit: 10, start: T0 - DAY + 1 });
        assert.deepEqual(bodies(recent.items), [4]);
        // Retention goes by the imported time too.
        assert.equal(await s.archive.deleteBefore(T0 - 2 * DAY, 100), 1);
        assert.deepEqual(bodies((await s.archive.query(juliet, { limit: 10 })).items), [2, 3, 4]);
      }, { now: () => clock.t });
    });

    test('a time in the future or at the current millisecond is taken as now, after live messages', async () => {
      const clock = { t: T0 };
      await withStorage(open, async (s) => {
        const [live] = await s.archive.append([entry(1)]);
        const [future] = await s.archive.append([entry(2, T0 + 365 * DAY)]);
        const [same] = await s.archive.append([entry(3, T0)]);
        const [next] = await s.archive.append([entry(4)]);
        assert.equal(future.timestamp, T0);
        assert.equal(same.timestamp, T0);
        assert.equal(next.timestamp, T0);
        const ids = [live, future, same, next].map((x) => x.id);
        assert.equal(new Set(ids).size, 4);
        assert.deepEqual(bodies((await s.archive.query(juliet, { limit: 10 })).items), [1, 2, 3, 4]);
      }, { now: () => clock.t });
    });
  });

  describe('groupchat filter', () => {
    test('excludeGroupchat leaves out type="groupchat" only, and pages and counts without them', async () => {
      const clock = { t: T0 };
      await withStorage(open, async (s) => {
        for (let i = 0; i < 6; i++) {
          clock.t += 1000;
          await s.archive.append([entry(i, undefined, i % 2 === 0 ? 'groupchat' : i === 1 ? 'chat' : undefined)]);
        }
        // A body that merely mentions the attribute is not groupchat.
        await s.archive.append([{ ...entry(6), stanza: '<message xmlns="jabber:client" type="chat"><body>6</body><note>type="groupchat"</note></message>' }]);
        const all = await s.archive.query(juliet, { limit: 10 });
        assert.equal(all.items.length, 7);
        const p1 = await s.archive.query(juliet, { limit: 2, excludeGroupchat: true, countLimit: 100 });
        assert.deepEqual(bodies(p1.items), [1, 3]);
        assert.equal(p1.complete, false);
        assert.equal(p1.count, 4);
        const p2 = await s.archive.query(juliet, { limit: 2, excludeGroupchat: true, pageAfter: p1.items[1].id });
        assert.deepEqual(bodies(p2.items), [5, 6]);
        assert.equal(p2.complete, true);
      }, { now: () => clock.t });
    });

    test('counts and first index without groupchat on the latest, a middle and the oldest page', async () => {
      const clock = { t: T0 };
      await withStorage(open, async (s) => {
        // Bodies 0..9; 2, 5 and 8 are groupchat (one of them upper-case, as the flag ignores case).
        for (let i = 0; i < 10; i++) {
          clock.t += 1000;
          await s.archive.append([entry(i, undefined, i === 5 ? 'GroupChat' : i % 3 === 2 ? 'groupchat' : 'chat')]);
        }
        const q = { excludeGroupchat: true, countLimit: 100 };
        const latest = await s.archive.query(juliet, { ...q, limit: 3, backwards: true });
        assert.deepEqual([bodies(latest.items), latest.count, latest.firstIndex, latest.complete], [[6, 7, 9], 7, 4, false]);
        const middle = await s.archive.query(juliet, { ...q, limit: 3, backwards: true, pageBefore: latest.items[0].id });
        assert.deepEqual([bodies(middle.items), middle.count, middle.firstIndex, middle.complete], [[1, 3, 4], 7, 1, false]);
        const oldest = await s.archive.query(juliet, { ...q, limit: 3 });
        assert.deepEqual([bodies(oldest.items), oldest.count, oldest.firstIndex], [[0, 1, 3], 7, 0]);
        const next = await s.archive.query(juliet, { ...q, limit: 3, pageAfter: oldest.items[2].id });
        assert.deepEqual([bodies(next.items), next.count, next.firstIndex], [[4, 6, 7], 7, 3]);
        // Inside an id range the latest page ends at the range's end, not the archive's.
        const ranged = await s.archive.query(juliet, { ...q, limit: 2, backwards: true, beforeId: latest.items[2].id });
        assert.deepEqual([bodies(ranged.items), ranged.count, ranged.firstIndex], [[6, 7], 6, 4]);
        // With groupchat: every message counts.
        const all = await s.archive.query(juliet, { limit: 3, backwards: true, countLimit: 100 });
        assert.deepEqual([bodies(all.items), all.count, all.firstIndex], [[7, 8, 9], 10, 7]);
      }, { now: () => clock.t });
    });
  });
});
