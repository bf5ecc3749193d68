// The shape of a comparison's results: per metric, per server, the median and range over rounds,
// and Parley's ratio to each peer (Parley's median divided by the peer's, whatever the direction;
// the metric says whether higher or lower is better).
import type { PeerName } from '../peers/types.ts';
import type { Measurement, MetricDef } from '../scenarios/types.ts';
import { summarize, type Summary } from '../stats.ts';

export interface MetricResult extends MetricDef {
  perPeer: Partial<Record<PeerName, Summary>>;
  /** Parley's median / the peer's median. */
  ratioToParley: Partial<Record<PeerName, number>>;
}

/** Collect per-round measurements (in the order metrics first appeared) into summaries. */
export function summarizeRounds(rounds: Array<{ peer: PeerName; measurements: Measurement[] }>, peers: PeerName[]): MetricResult[] {
  const defs = new Map<string, MetricDef>();
  const values = new Map<string, Map<PeerName, number[]>>();
  for (const r of rounds) {
    for (const m of r.measurements) {
      if (!defs.has(m.key)) defs.set(m.key, { key: m.key, label: m.label, unit: m.unit, better: m.better });
      let byPeer = values.get(m.key);
      if (!byPeer) values.set(m.key, (byPeer = new Map()));
      let list = byPeer.get(r.peer);
      if (!list) byPeer.set(r.peer, (list = []));
      list.push(m.value);
    }
  }
  return [...defs.values()].map((def) => {
    const perPeer: MetricResult['perPeer'] = {};
    for (const p of peers) {
      const v = values.get(def.key)?.get(p);
      if (v) perPeer[p] = summarize(v);
    }
    const ratioToParley: MetricResult['ratioToParley'] = {};
    const parley = perPeer.parley?.median;
    for (const p of peers) {
      const other = perPeer[p]?.median;
      if (p !== 'parley' && parley !== undefined && other !== undefined && other !== 0) ratioToParley[p] = parley / other;
    }
    return { ...def, perPeer, ratioToParley };
  });
}

/** A number with about three significant digits. */
export function fmt(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a >= 100) return Math.round(v).toLocaleString('en-US');
  if (a >= 10) return v.toFixed(1);
  return v.toFixed(2);
}
