// Statistics and report files of the bench/quic-hol sweep (specs/quic.md §7, docs/quic.md §8).
// Pure apart from writing files: cells in, CSV / Markdown / JSON out.
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One transport's run in one round at one loss rate. */
export interface Cell {
  loss: number;
  round: number;
  /** Position of this transport within its round (the order rotates per round). */
  order: number;
  transport: string;
  /** [phase, seq, sent ms since epoch, latency ms] for every B message y received. */
  deliveries: Array<[string, number, number, number]>;
  bSent: number;
  bulkChunks: number;
  bulkBytes: number;
  /** First to last bulk chunk arriving at x. */
  bulkSeconds: number;
}

export const pct = (xs: number[], q: number): number => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : NaN;
};

const lat = (cells: Cell[], phase: string) => cells.flatMap((c) => c.deliveries.filter((d) => d[0] === phase).map((d) => d[3]));

export interface Row {
  transport: string;
  n: number;
  lost: number;
  p50: number;
  p99: number;
  idle_p50: number;
  idle_p99: number;
  p99_round_min: number;
  p99_round_max: number;
  bulk_kib_s: number;
}

export function rows(cells: Cell[], transports: string[]): Row[] {
  return transports.map((t) => {
    const mine = cells.filter((c) => c.transport === t);
    const load = lat(mine, 'load');
    const idle = lat(mine, 'idle');
    const perRound = mine.map((c) => pct(lat([c], 'load'), 0.99)).filter(Number.isFinite);
    const bytes = mine.reduce((s, c) => s + c.bulkBytes, 0);
    const secs = mine.reduce((s, c) => s + c.bulkSeconds, 0);
    return {
      transport: t,
      n: load.length,
      lost: mine.reduce((s, c) => s + c.bSent - c.deliveries.length, 0),
      p50: pct(load, 0.5),
      p99: pct(load, 0.99),
      idle_p50: pct(idle, 0.5),
      idle_p99: pct(idle, 0.99),
      p99_round_min: perRound.length ? Math.min(...perRound) : NaN,
      p99_round_max: perRound.length ? Math.max(...perRound) : NaN,
      bulk_kib_s: secs > 0 ? bytes / 1024 / secs : NaN,
    };
  });
}

const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined && b > 0 ? a / b : NaN);

export function lossSection(loss: number, cells: Cell[], transports: string[], desc: string): { md: string; rows: Row[] } {
  const rs = rows(cells, transports);
  const by = (t: string) => rs.find((r) => r.transport === t);
  const [mux, single, tcp] = [by('quic-mux'), by('quic-single'), by('tcp')];
  const lines = [
    `### L = ${loss}% loss (${desc})`,
    '',
    '| transport | B n | B lost | load p50 ms | load p99 ms | idle p50 ms | idle p99 ms | p50 load÷idle | p99 load÷idle | p99 per round (min–max) | bulk KiB/s |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...rs.map((r) => `| ${r.transport} | ${r.n} | ${r.lost} | ${r.p50} | ${r.p99} | ${r.idle_p50} | ${r.idle_p99} | ${f(r.p50 / r.idle_p50)} | ${f(r.p99 / r.idle_p99)} | ${r.p99_round_min}–${r.p99_round_max} | ${f(r.bulk_kib_s, 0)} |`),
    '',
    `- mux ÷ single: p50 ${f(ratio(mux?.p50, single?.p50))}, p99 ${f(ratio(mux?.p99, single?.p99))}`,
    `- mux ÷ TCP: p50 ${f(ratio(mux?.p50, tcp?.p50))}, p99 ${f(ratio(mux?.p99, tcp?.p99))}`,
    `- single ÷ TCP: p50 ${f(ratio(single?.p50, tcp?.p50))}, p99 ${f(ratio(single?.p99, tcp?.p99))}`,
  ];
  if (loss === 2 && mux && single) lines.push(`- hypothesis "mux p99 ≤ 0.5 × single at 2% loss": ${ratio(mux.p99, single.p99) <= 0.5 ? 'met' : 'not met'} (${f(ratio(mux.p99, single.p99))})`);
  return { md: lines.join('\n'), rows: rs };
}

/** Overview across loss rates: p99 under load per transport and the two ratios the spec asks for. */
export function overview(byLoss: Map<number, Row[]>): string {
  const out = ['| L % | TCP p99 | single p99 | mux p99 | mux÷single p99 | mux÷TCP p99 | mux÷single p50 | mux÷TCP p50 |', '|---|---|---|---|---|---|---|---|'];
  for (const [loss, rs] of byLoss) {
    const by = (t: string) => rs.find((r) => r.transport === t);
    const [mux, single, tcp] = [by('quic-mux'), by('quic-single'), by('tcp')];
    out.push(`| ${loss} | ${tcp?.p99 ?? 'n/a'} | ${single?.p99 ?? 'n/a'} | ${mux?.p99 ?? 'n/a'} | ${f(ratio(mux?.p99, single?.p99))} | ${f(ratio(mux?.p99, tcp?.p99))} | ${f(ratio(mux?.p50, single?.p50))} | ${f(ratio(mux?.p50, tcp?.p50))} |`);
  }
  return out.join('\n');
}

/** Appends a cell to the raw CSV files of the sweep (every B delivery; one line per cell for bulk). */
export function appendCell(dir: string, c: Cell): void {
  const deliveries = join(dir, 'deliveries.csv');
  if (!existsSync(deliveries)) writeFileSync(deliveries, 'loss_pct,round,order,transport,phase,seq,sent_ms,latency_ms\n');
  appendFileSync(deliveries, c.deliveries.map((d) => `${c.loss},${c.round},${c.order},${c.transport},${d[0]},${d[1]},${d[2]},${d[3]}\n`).join(''));
  const cells = join(dir, 'cells.csv');
  if (!existsSync(cells)) writeFileSync(cells, 'loss_pct,round,order,transport,b_sent,b_delivered,bulk_chunks,bulk_bytes,bulk_seconds,bulk_kib_s\n');
  appendFileSync(cells, `${c.loss},${c.round},${c.order},${c.transport},${c.bSent},${c.deliveries.length},${c.bulkChunks},${c.bulkBytes},${c.bulkSeconds},${f(c.bulkBytes / 1024 / c.bulkSeconds, 1)}\n`);
}
