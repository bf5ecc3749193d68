// Samples the message counter so the dashboard can chart messages per minute.
import type { Metrics } from '../../observability/metrics.ts';

export class MessageRate {
  private samples: Array<{ t: number; total: number }> = [];
  private timer: NodeJS.Timeout;

  constructor(private readonly metrics: Metrics, private readonly everyMs = 5000, private readonly keep = 72) {
    void this.sample();
    this.timer = setInterval(() => void this.sample(), everyMs);
    this.timer.unref();
  }

  private async sample(): Promise<void> {
    const m = await this.metrics.stanzasIn.get();
    const total = m.values.filter((v) => v.labels.kind === 'message').reduce((s, v) => s + v.value, 0);
    this.samples.push({ t: Date.now(), total });
    if (this.samples.length > this.keep) this.samples.shift();
  }

  /** Messages per minute between consecutive samples, oldest first. */
  perMinute(): Array<{ t: number; rate: number }> {
    const out: Array<{ t: number; rate: number }> = [];
    for (let i = 1; i < this.samples.length; i++) {
      const a = this.samples[i - 1];
      const b = this.samples[i];
      out.push({ t: b.t, rate: Math.round(((b.total - a.total) * 60_000) / Math.max(1, b.t - a.t)) });
    }
    return out;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
