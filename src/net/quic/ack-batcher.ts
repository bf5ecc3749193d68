// When a receiver reports its h (docs/quic.md §6.2): unasked, at the latest 20 ms after a stanza
// was handled, at once after every 16 stanzas, and at once when its lane has nothing more queued.
export const ACK_DELAY_MS = 20;
export const ACK_EVERY = 16;

export class AckBatcher {
  private h = 0;
  private reported = 0;
  private since = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly send: (h: number) => void) {}

  processed(h: number, laneIdle: boolean): void {
    this.h = h;
    if (++this.since >= ACK_EVERY || laneIdle) return this.flush();
    this.timer ??= setTimeout(() => this.flush(), ACK_DELAY_MS);
  }

  /** A resumed session's counters restart at 0 (docs/quic.md §5.3): forget what was reported. */
  reset(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.h = this.reported = this.since = 0;
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.since = 0;
    if (this.h === this.reported) return;
    this.reported = this.h;
    this.send(this.h);
  }
}
