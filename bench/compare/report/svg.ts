// A hand-written SVG bar chart of the results: one group per metric, one bar per server (its
// median over rounds, with a whisker from min to max), each metric scaled to its own largest
// value so metrics with different units sit side by side.
import { PEER_LABELS, type PeerName } from '../peers/types.ts';
import { fmt, type MetricResult } from './results.ts';

const COLORS: Record<PeerName, string> = { parley: '#2b6cb0', prosody: '#c05621', ejabberd: '#2f855a' };
const WIDTH = 960;
const LABEL_W = 380;
const BAR_W = 440;
const BAR_H = 13;
const GAP = 3;
const GROUP_GAP = 14;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export interface ChartInfo {
  title: string;
  subtitle: string;
}

export function svgChart(results: MetricResult[], peers: PeerName[], info: ChartInfo): string {
  const header = 70;
  const groupH = peers.length * (BAR_H + GAP) + GROUP_GAP;
  const height = header + results.length * groupH + 30;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11">`);
  parts.push(`<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`);
  parts.push(`<text x="12" y="22" font-size="15" font-weight="bold">${esc(info.title)}</text>`);
  parts.push(`<text x="12" y="40" fill="#555">${esc(info.subtitle)}</text>`);
  peers.forEach((p, i) => {
    const x = 12 + i * 110;
    parts.push(`<rect x="${x}" y="50" width="12" height="12" fill="${COLORS[p]}"/><text x="${x + 17}" y="60">${PEER_LABELS[p]}</text>`);
  });
  parts.push(`<text x="${12 + peers.length * 110}" y="60" fill="#555">bar = median of rounds, whisker = min–max; each metric scaled to its largest value</text>`);

  results.forEach((r, gi) => {
    const y0 = header + gi * groupH;
    const top = Math.max(...peers.map((p) => r.perPeer[p]?.max ?? 0).filter(Number.isFinite), 1e-9);
    parts.push(`<text x="12" y="${y0 + BAR_H}" font-weight="bold">${esc(r.label)}</text>`);
    parts.push(`<text x="12" y="${y0 + 2 * BAR_H + 2}" fill="#555">${esc(`${r.unit}, ${r.better} is better`)}</text>`);
    peers.forEach((p, i) => {
      const y = y0 + i * (BAR_H + GAP);
      const s = r.perPeer[p];
      if (!s || !Number.isFinite(s.median)) {
        parts.push(`<text x="${LABEL_W}" y="${y + BAR_H - 2}" fill="#999">${PEER_LABELS[p]}: not measured</text>`);
        return;
      }
      const w = Math.max(1, (s.median / top) * BAR_W);
      parts.push(`<rect x="${LABEL_W}" y="${y}" width="${w.toFixed(1)}" height="${BAR_H}" fill="${COLORS[p]}"><title>${PEER_LABELS[p]}: ${fmt(s.median)} ${esc(r.unit)}</title></rect>`);
      if (s.samples.length > 1 && Number.isFinite(s.min) && Number.isFinite(s.max)) {
        const x1 = LABEL_W + (s.min / top) * BAR_W;
        const x2 = LABEL_W + (s.max / top) * BAR_W;
        const ym = y + BAR_H / 2;
        parts.push(`<path d="M${x1.toFixed(1)} ${ym}H${x2.toFixed(1)}M${x1.toFixed(1)} ${y + 2}V${y + BAR_H - 2}M${x2.toFixed(1)} ${y + 2}V${y + BAR_H - 2}" stroke="#222" stroke-width="1"/>`);
      }
      const tx = LABEL_W + Math.max(w, ((s.max || 0) / top) * BAR_W) + 6;
      parts.push(`<text x="${tx.toFixed(1)}" y="${y + BAR_H - 2}">${fmt(s.median)}</text>`);
    });
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
