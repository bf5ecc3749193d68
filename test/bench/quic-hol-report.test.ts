// bench/quic-hol's summary (docs/quic.md §8): warm-up deliveries are left out, idle and load are
// kept apart, and the ratios the spec asks for (mux÷single, mux÷TCP) come from the pooled rounds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lossSection, rows, type Cell } from '../../bench/quic-hol/report.ts';

const cell = (transport: string, round: number, load: number[], idle: number[]): Cell => ({
  loss: 2, round, order: 0, transport,
  deliveries: [
    ...[99_999, 99_999].map((l, i) => ['load-warmup', i, 0, l] as [string, number, number, number]),
    ...idle.map((l, i) => ['idle', i, 0, l] as [string, number, number, number]),
    ...load.map((l, i) => ['load', i, 0, l] as [string, number, number, number]),
  ],
  bSent: 2 + idle.length + load.length + 1, // one B message never arrived
  bulkChunks: 10, bulkBytes: 10 * 4096, bulkSeconds: 2,
});

test('warm-ups are dropped; percentiles pool the rounds; ratios and losses follow', () => {
  const cells = [
    cell('tcp', 0, [400, 400], [10]), cell('tcp', 1, [400, 400], [10]),
    cell('quic-single', 0, [200, 200], [20]), cell('quic-single', 1, [200, 200], [20]),
    cell('quic-mux', 0, [50, 50], [20]), cell('quic-mux', 1, [50, 90], [20]),
  ];
  const rs = rows(cells, ['tcp', 'quic-single', 'quic-mux']);
  const mux = rs.find((r) => r.transport === 'quic-mux')!;
  assert.equal(mux.n, 4);
  assert.equal(mux.p99, 90, 'no warm-up latency leaks in');
  assert.equal(mux.idle_p50, 20);
  assert.equal(mux.p99_round_min, 50);
  assert.equal(mux.p99_round_max, 90);
  assert.equal(mux.lost, 2);
  assert.equal(mux.bulk_kib_s, 20);
  const { md } = lossSection(2, cells, ['tcp', 'quic-single', 'quic-mux'], 'test');
  assert.match(md, /mux ÷ single: p50 0\.25, p99 0\.45/);
  assert.match(md, /mux ÷ TCP: p50 0\.13, p99 0\.23/);
  assert.match(md, /hypothesis .*: met \(0\.45\)/);
});
