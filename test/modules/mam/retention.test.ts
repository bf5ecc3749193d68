// Retention: everything older than the cutoff goes, oldest first, in bounded batches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expireOnce } from '../../../src/modules/mam/retention.ts';
import { createSqliteStorage } from '../../../src/storage/sqlite/index.ts';
import { SqliteArchive } from '../../../src/storage/sqlite/archive.ts';

test('expireOnce deletes messages older than retention_days in batches, and stops at maxBatches', async () => {
  const day = 86_400_000;
  const clock = { t: Date.UTC(2024, 0, 1) };
  const archive = new SqliteArchive(createSqliteStorage(':memory:').db, () => clock.t);
  const owner = { username: 'u', domain: 'd' };
  for (let i = 0; i < 25; i++) {
    await archive.append([{ owner, with: 'x@y', direction: 'in', stanza: `<message><body>${i}</body></message>` }]);
    clock.t += day; // message i is i days after the first
  }
  const now = Date.UTC(2024, 0, 1) + 30 * day;
  // retention 10 days: messages 0..19 (archived before day 20) expire.
  const partial = await expireOnce(archive, { days: 10, intervalMs: 1000, batchSize: 4, maxBatches: 3 }, now);
  assert.equal(partial, 12);
  const rest = await expireOnce(archive, { days: 10, intervalMs: 1000, batchSize: 4, maxBatches: 100 }, now);
  assert.equal(rest, 8);
  const left = await archive.query(owner, { limit: 100 });
  assert.deepEqual(left.items.map((m) => /<body>(\d+)</.exec(m.stanza)![1]), ['20', '21', '22', '23', '24']);
  assert.equal(await expireOnce(archive, { days: 10, intervalMs: 1000, batchSize: 4, maxBatches: 100 }, now, () => true), 0);
});

test('startRetention runs periodically until stopped; retention_days = 0 never runs', async () => {
  const { startRetention } = await import('../../../src/modules/mam/retention.ts');
  const calls: number[] = [];
  const store = { deleteBefore: async (cutoff: number) => (calls.push(cutoff), 0) } as unknown as Parameters<typeof startRetention>[0];
  const log = { info() {}, error() {} } as unknown as Parameters<typeof startRetention>[2];
  const off = startRetention(store, { days: 0, intervalMs: 10, batchSize: 10, maxBatches: 1 }, log);
  const stop = startRetention(store, { days: 2, intervalMs: 10, batchSize: 10, maxBatches: 1 }, log);
  const deadline = Date.now() + 2000;
  while (calls.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  stop();
  off();
  assert.ok(calls.length >= 3, `ran ${calls.length} times`);
  assert.ok(Math.abs(calls[0] - (Date.now() - 2 * 86_400_000)) < 5_000, 'cutoff is now - retention_days');
  const after = calls.length;
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(calls.length, after, 'no run after stop');
});
