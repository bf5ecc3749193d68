// The results as a Markdown table: readable on a terminal and pasted into docs/performance.md.
import { PEER_LABELS, type PeerName } from '../peers/types.ts';
import { fmt, type MetricResult } from './results.ts';

export function markdownTable(results: MetricResult[], peers: PeerName[]): string {
  const others = peers.filter((p) => p !== 'parley');
  const head = ['Metric', 'Unit', ...peers.map((p) => `${PEER_LABELS[p]} median (min–max)`), ...others.map((p) => `Parley ÷ ${PEER_LABELS[p]}`)];
  const rows = results.map((r) => [
    r.label,
    `${r.unit}, ${r.better} is better`,
    ...peers.map((p) => {
      const s = r.perPeer[p];
      if (!s) return 'not measured';
      return s.samples.length > 1 ? `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})` : fmt(s.median);
    }),
    ...others.map((p) => {
      const ratio = r.ratioToParley[p];
      if (ratio === undefined || !Number.isFinite(ratio)) return '–';
      const good = r.better === 'higher' ? ratio >= 1 : ratio <= 1;
      return `${ratio.toFixed(2)}× ${good ? '✓' : '✗'}`;
    }),
  ]);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}
