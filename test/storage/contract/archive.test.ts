// ArchiveStore contract (XEP-0313 storage with XEP-0059 paging): ids unique, unguessable and
// ordered like the archive even within one millisecond or across a clock step back; result sets
// filtered by with/time/ids; pages by exclusive cursors (never offsets), stable while the archive
// grows; bounded counts; retention and deletion.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ArchiveEntry, ArchiveOwner, Storage } from '../../../src/storage/types.ts';
import { contract, withStorage, type Open } from './drivers.ts';

const juliet: ArchiveOwner = { username: 'juliet', domain: 'capulet.lit' };
const romeo: ArchiveOwner = { username: 'romeo', domain: 'montague.lit' };
const T0 = 1_700_000_000_000;

const entry = (owner: ArchiveOwner, withJid: string, n: number, direction: 'in' | 'out' = 'in'): ArchiveEntry => ({
  owner,
  with: withJid,
  direction,
  stanza: `<message xmlns="jabber:client" id="m${n}"><body>${n}</body></message>`,
});
const bodies = (items: { stanza: string }[]) => items.map((m) => Number(/<body>(\d+)</.exec(m.stanza)![1]));

/** Seven messages for juliet, one per second from T0 + 1 s, alternating correspondents, and one for romeo. */
async function filled(open: Open, fn: (s: Storage, ids: string[], clock: { t: number }) => Promise<void>, n = 7): Promise<void> {
  const clock = { t: T0 };
  await withStorage(
    open,
    async (s) => {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        clock.t += 1000;
        const withJid = i % 2 === 0 ? 'romeo@montague.lit/orchard' : 'nurse@capulet.lit';
        ids.push((await s.archive.append([entry(juliet, withJid, i, i % 3 === 0 ? 'out' : 'in')]))[0].id);
      }
      await s.archive.append([entry(romeo, 'juliet@capulet.lit', 99)]);
      await fn(s, ids, clock);
    },
    { now: () => clock.t },
  );
}

contract('archive store', (open) => {
  describe('ids', () => {
    test('are unique, 21 characters, ordered like the archive, even within one millisecond', async () => {
      const clock = { t: T0 };
      await withStorage(
        open,
        async (s) => {
          const ids = await s.archive.append(Array.from({ length: 50 }, (_, i) => entry(juliet, 'romeo@montague.lit', i)));
          assert.equal(new Set(ids.map((x) => x.id)).size, 50);
          for (const { id } of ids) assert.match(id, /^[0-9a-v]{21}$/);
          assert.deepEqual([...ids.map((x) => x.id)].sort(), ids.map((x) => x.id));
          assert.equal(ids[0].timestamp, T0);
          const page = await s.archive.query(juliet, { limit: 100 });
          assert.deepEqual(page.items.map((m) => m.id), ids.map((x) => x.id));
          assert.deepEqual(bodies(page.items), [...Array(50).keys()]);
        },
        { now: () => clock.t },
      );
    });

    test('stay ordered when the clock steps back', async () => {
      const clock = { t: T0 };
      await withStorage(
        open,
        async (s) => {
          const [a] = await s.archive.append([entry(juliet, 'romeo@montague.lit', 1)]);
          clock.t -= 60_000;
          const [b] = await s.archive.append([entry(romeo, 'juliet@capulet.lit', 2)]);
          assert.ok(b.id > a.id);
          assert.ok(b.timestamp >= a.timestamp, 'archive time never goes backwards');
        },
        { now: () => clock.t },
      );
    });

    test('are not guessable: the same position in two fresh archives gets different ids', async () => {
      const clock = { t: T0 };
      const one = await withStorage(open, async (s) => (await s.archive.append([entry(juliet, 'a@x', 1)]))[0].id, { now: () => clock.t });
      const two = await withStorage(open, async (s) => (await s.archive.append([entry(juliet, 'a@x', 1)]))[0].id, { now: () => clock.t });
      assert.notEqual(one, two);
    });

    test('appends in the same turn keep their call order; entries of one append keep theirs', async () => {
      const clock = { t: T0 };
      await withStorage(
        open,
        async (s) => {
          const [x, y, z] = await Promise.all([
            s.archive.append([entry(juliet, 'a@x', 1), entry(romeo, 'a@x', 2)]),
            s.archive.append([entry(juliet, 'a@x', 3)]),
            s.archive.append([]),
          ]);
          assert.equal(x.length, 2);
          assert.deepEqual(z, []);
          assert.ok(x[0].id < x[1].id && x[1].id < y[0].id);
          assert.deepEqual(bodies((await s.archive.query(juliet, { limit: 10 })).items), [1, 3]);
          assert.deepEqual(bodies((await s.archive.query(romeo, { limit: 10 })).items), [2]);
        },
        { now: () => clock.t },
      );
    });

    test('appends follow call order across turns too, while earlier ones are still committing', async () => {
      const clock = { t: T0 };
      await withStorage(
        open,
        async (s) => {
          const calls: Array<Promise<Array<{ id: string }>>> = [];
          for (let i = 0; i < 6; i++) {
            calls.push(s.archive.append([entry(i % 2 ? juliet : romeo, 'a@x', i)]));
            await new Promise((r) => setImmediate(r));
          }
          const ids = (await Promise.all(calls)).map(([x]) => x.id);
          assert.deepEqual([...ids].sort(), ids);
        },
        { now: () => clock.t },
      );
    });

    test('an archived message keeps with, direction and stanza exactly', async () => {
      const clock = { t: T0 };
      await withStorage(
        open,
        async (s) => {
          const stanza = '<message xmlns="jabber:client" to="r@m/a/b"><body>é ✓ &amp; 𝄞</body></message>';
          const [{ id, timestamp }] = await s.archive.append([{ owner: juliet, with: 'r@m/a/b', direction: 'out', stanza }]);
          const page = await s.archive.query(juliet, { limit: 1 });
          assert.deepEqual(page.items, [{ id, timestamp, with: 'r@m/a/b', direction: 'out', stanza }]);
          // The resource may contain '/': a full-JID filter matches it whole (RFC 7622 §3.1).
          assert.equal((await s.archive.query(juliet, { limit: 1, with: 'r@m/a/b' })).items.length, 1);
          assert.equal((await s.archive.query(juliet, { limit: 1, with: 'r@m/a' })).items.length, 0);
        },
        { now: () => clock.t },
      );
    });
  });

  describe('paging', () => {
    test('forwards with after walks every message exactly once; complete only on the last page', () =>
      filled(open, async (s) => {
        const seen: number[] = [];
        const completes: boolean[] = [];
        let after: string | undefined;
        for (let guard = 0; guard < 10; guard++) {
          const page = await s.archive.query(juliet, { limit: 2, pageAfter: after });
          seen.push(...bodies(page.items));
          completes.push(page.complete);
          if (page.complete) break;
          after = page.items[page.items.length - 1].id;
        }
        assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6]);
        assert.deepEqual(completes, [false, false, false, true]);
      }));

    test('a cursor stays valid while the archive grows: nothing skipped, nothing repeated', () =>
      filled(open, async (s, _ids, clock) => {
        const first = await s.archive.query(juliet, { limit: 3 });
        clock.t += 1000;
        await s.archive.append([entry(juliet, 'nurse@capulet.lit', 7)]);
        await s.archive.deleteArchive(romeo); // another archive changing does not matter either
        const rest = await s.archive.query(juliet, { limit: 10, pageAfter: first.items[2].id });
        assert.deepEqual([...bodies(first.items), ...bodies(rest.items)], [0, 1, 2, 3, 4, 5, 6, 7]);
      }));

    test('an exactly full last page is complete', () =>
      filled(
        open,
        async (s, ids) => {
          const page = await s.archive.query(juliet, { limit: 2, pageAfter: ids[3] });
          assert.deepEqual(bodies(page.items), [4, 5]);
          assert.equal(page.complete, true);
        },
        6,
      ));

    test('backwards from the end, then with before; items still oldest first on each page', () =>
      filled(open, async (s) => {
        const last = await s.archive.query(juliet, { limit: 3, backwards: true, countLimit: 1000 });
        assert.deepEqual(bodies(last.items), [4, 5, 6]);
        assert.equal(last.complete, false);
        assert.equal(last.count, 7);
        assert.equal(last.firstIndex, 4);
        const prev = await s.archive.query(juliet, { limit: 3, backwards: true, pageBefore: last.items[0].id });
        assert.deepEqual(bodies(prev.items), [1, 2, 3]);
        assert.equal(prev.complete, false);
        const first = await s.archive.query(juliet, { limit: 3, backwards: true, pageBefore: prev.items[0].id });
        assert.deepEqual(bodies(first.items), [0]);
        assert.equal(first.complete, true);
      }));

    test('with: a bare JID matches every resource, a full JID only itself', () =>
      filled(open, async (s) => {
        assert.deepEqual(bodies((await s.archive.query(juliet, { limit: 10, with: 'romeo@montague.lit' })).items), [0, 2, 4, 6]);
        assert.deepEqual(bodies((await s.archive.query(juliet, { limit: 10, with: 'romeo@montague.lit/orchard' })).items), [0, 2, 4, 6]);
        assert.deepEqual(bodies((await s.archive.query(juliet, { limit: 10, with: 'romeo@montague.lit/balcony' })).items), []);
        const page = await s.archive.query(juliet, { limit: 10, with: 'nurse@capulet.lit', countLimit: 1000 });
        assert.deepEqual(bodies(page.items), [1, 3, 5]);
        assert.equal(page.count, 3);
        assert.equal(page.items[0].with, 'nurse@capulet.lit');
        assert.deepEqual(
          page.items.map((m) => m.direction),
          ['in', 'out', 'in'],
        );
      }));

    test('start and end are inclusive times; timestamps are the archiving times', () =>
      filled(open, async (s) => {
        const page = await s.archive.query(juliet, { limit: 10, start: T0 + 2000, end: T0 + 4000, countLimit: 1000 });
        assert.deepEqual(bodies(page.items), [1, 2, 3]);
        assert.deepEqual(page.items.map((m) => m.timestamp), [T0 + 2000, T0 + 3000, T0 + 4000]);
        assert.equal(page.count, 3);
        assert.equal(page.firstIndex, 0);
        assert.deepEqual(bodies((await s.archive.query(juliet, { limit: 10, start: T0 + 6500 })).items), [6]);
        assert.deepEqual(bodies((await s.archive.query(juliet, { limit: 10, end: T0 + 1999 })).items), [0]);
      }));

    test('after-id and before-id narrow the result set; ids picks messages in archive order', () =>
      filled(open, async (s, ids) => {
        const between = await s.archive.query(juliet, { limit: 10, afterId: ids[1], beforeId: ids[5], countLimit: 1000 });
        assert.deepEqual(bodies(between.items), [2, 3, 4]);
        assert.equal(between.count, 3);
        const picked = await s.archive.query(juliet, { limit: 10, ids: [ids[5], ids[0]] });
        assert.deepEqual(bodies(picked.items), [0, 5]);
        const pickedAndFiltered = await s.archive.query(juliet, { limit: 10, ids: [ids[5], ids[0], ids[2]], with: 'romeo@montague.lit' });
        assert.deepEqual(bodies(pickedAndFiltered.items), [0, 2]);
        assert.deepEqual((await s.archive.query(juliet, { limit: 10, ids: [] })).items, []);
      }));

    test('count and index describe the page within the result set; limit 0 only counts', () =>
      filled(open, async (s, ids) => {
        const page = await s.archive.query(juliet, { limit: 2, pageAfter: ids[2], countLimit: 1000 });
        assert.deepEqual(bodies(page.items), [3, 4]);
        assert.equal(page.count, 7);
        assert.equal(page.firstIndex, 3);
        const countOnly = await s.archive.query(juliet, { limit: 0, countLimit: 1000 });
        assert.deepEqual(countOnly.items, []);
        assert.equal(countOnly.count, 7);
        assert.equal(countOnly.complete, false);
      }));

    test('counts only result sets within countLimit (XEP-0059 §2.2, §2.7)', () =>
      filled(open, async (s, ids) => {
        const big = await s.archive.query(juliet, { limit: 2, pageAfter: ids[0], countLimit: 6 });
        assert.deepEqual([big.count, big.firstIndex, big.items.length], [undefined, undefined, 2]);
        const small = await s.archive.query(juliet, { limit: 2, with: 'nurse@capulet.lit', countLimit: 6 });
        assert.deepEqual([small.count, small.firstIndex], [3, 0]);
        const exact = await s.archive.query(juliet, { limit: 2, pageAfter: ids[4], countLimit: 7 });
        assert.deepEqual([exact.count, exact.firstIndex], [7, 5]);
        assert.equal((await s.archive.query(juliet, { limit: 2 })).count, undefined);
      }));

    test('unknown, forged and foreign ids are reported, never used as positions', () =>
      filled(open, async (s, ids) => {
        const forged = ids[3].slice(0, 11) + (ids[3][11] === '0' ? '1' : '0') + ids[3].slice(12);
        const romeoId = (await s.archive.query(romeo, { limit: 1 })).items[0].id;
        for (const bad of ['nope', forged, romeoId, 'vvvvvvvvvvvvvvvvvvvvv']) {
          const page = await s.archive.query(juliet, { limit: 2, pageAfter: bad });
          assert.deepEqual(page.unknownIds, [bad]);
          assert.deepEqual(page.items, []);
        }
        assert.deepEqual((await s.archive.query(juliet, { limit: 2, ids: [ids[0], 'nope'] })).unknownIds, ['nope']);
        assert.deepEqual((await s.archive.query({ username: 'nobody', domain: 'x' }, { limit: 2, afterId: ids[0] })).unknownIds, [ids[0]]);
        const empty = await s.archive.query({ username: 'nobody', domain: 'x' }, { limit: 2, countLimit: 10 });
        assert.deepEqual([empty.items, empty.complete, empty.count], [[], true, 0]);
      }));

    test('bounds give the oldest and newest message; null for an empty or unknown archive', () =>
      filled(open, async (s, ids) => {
        assert.deepEqual(await s.archive.bounds(juliet), { first: { id: ids[0], timestamp: T0 + 1000 }, last: { id: ids[6], timestamp: T0 + 7000 } });
        assert.equal(await s.archive.bounds({ username: 'nobody', domain: 'x' }), null);
      }));
  });

  describe('retention and deletion', () => {
    test('deleteBefore removes the oldest messages of every archive first, in bounded batches', async () => {
      const clock = { t: T0 };
      await withStorage(
        open,
        async (s) => {
          for (let i = 0; i < 10; i++) {
            clock.t += 1000;
            await s.archive.append([entry(i % 2 ? juliet : romeo, 'a@b', i)]);
          }
          assert.equal(await s.archive.deleteBefore(T0 + 6000 + 1, 3), 3);
          assert.equal(await s.archive.deleteBefore(T0 + 6000 + 1, 3), 3);
          assert.equal(await s.archive.deleteBefore(T0 + 6000 + 1, 3), 0);
          assert.deepEqual(bodies((await s.archive.query(juliet, { limit: 10 })).items), [7, 9]);
          assert.deepEqual(bodies((await s.archive.query(romeo, { limit: 10 })).items), [6, 8]);
        },
        { now: () => clock.t },
      );
    });

    test('deleting the account deletes its archive; deleteArchive drops a room archive and counts it', async () => {
      await withStorage(open, async (s) => {
        const room = { username: 'coven', domain: 'chat.shakespeare.lit' };
        await s.archive.append([entry(juliet, 'a@b', 1), entry(romeo, 'a@b', 2), entry(room, 'a@b', 3), entry(room, 'a@b', 4)]);
        await s.deleteUser('juliet', 'capulet.lit');
        assert.deepEqual((await s.archive.query(juliet, { limit: 10 })).items, []);
        assert.equal(await s.archive.bounds(juliet), null);
        assert.equal((await s.archive.query(romeo, { limit: 10 })).items.length, 1);
        assert.equal(await s.archive.deleteArchive(room), 2);
        assert.equal(await s.archive.deleteArchive(room), 0);
        assert.deepEqual((await s.archive.query(room, { limit: 10 })).items, []);
        // A deleted archive can start again.
        await s.archive.append([entry(room, 'a@b', 5)]);
        assert.deepEqual(bodies((await s.archive.query(room, { limit: 10 })).items), [5]);
      });
    });

    test('an appended message is visible to another connection as soon as append resolves', () =>
      withStorage(open, async (s, o) => {
        const [{ id }] = await s.archive.append([entry(juliet, 'a@b', 1)]);
        const other = await o.reopen();
        assert.deepEqual((await other.archive.query(juliet, { limit: 1 })).items.map((m) => m.id), [id]);
      }));
  });
});
