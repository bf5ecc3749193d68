// One interval for the periodic checks of every client stream (idle timeout, whitespace
// keepalive) instead of a timer per stream: an idle connection then holds a set entry, not a
// Timeout object with its closure and timer-list links. Streams with the same period share one
// sweeper; the interval runs only while a stream is registered.

export interface Sweepable {
  /** Called once per period with the current time. */
  sweep(now: number): void;
}

class Sweeper {
  private readonly members = new Set<Sweepable>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly periodMs: number) {}

  add(s: Sweepable): void {
    this.members.add(s);
    if (this.timer) return;
    this.timer = setInterval(() => {
      const now = Date.now();
      for (const m of this.members) {
        try {
          m.sweep(now);
        } catch {
          /* one stream's failure is its own (C2SStream.sweep reports through its stream error) */
        }
      }
    }, this.periodMs);
    this.timer.unref();
  }

  delete(s: Sweepable): void {
    if (!this.members.delete(s) || this.members.size > 0 || !this.timer) return;
    clearInterval(this.timer);
    this.timer = null;
  }
}

const byPeriod = new Map<number, Sweeper>();

/** The shared sweeper running every periodMs. */
export function sweeperEvery(periodMs: number): Sweeper {
  let s = byPeriod.get(periodMs);
  if (!s) byPeriod.set(periodMs, (s = new Sweeper(periodMs)));
  return s;
}
