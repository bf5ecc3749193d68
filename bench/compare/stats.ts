// Order statistics for latency samples and for the per-round values of a metric.

/** The p-th percentile (nearest rank) of an ascending array; NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function sortedCopy(xs: readonly number[]): number[] {
  return [...xs].sort((a, b) => a - b);
}

export interface Summary {
  median: number;
  min: number;
  max: number;
  samples: number[];
}

/** Median and range of the finite values (one per round). */
export function summarize(values: readonly number[]): Summary {
  const s = sortedCopy(values.filter((v) => Number.isFinite(v)));
  if (s.length === 0) return { median: NaN, min: NaN, max: NaN, samples: [...values] };
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1], samples: [...values] };
}
