// Per-stream rate limits (RFC 6120 §13.12, resource exhaustion): one token bucket for bytes
// read and one for stanzas, on every client stream and every incoming s2s stream.
//
// - Bytes over the rate are never refused: reading stops until the debt is paid, so TCP flow
//   control slows the sender (shaping, like Prosody's mod_limits and ejabberd's shapers).
// - Stanzas over the rate are answered with a `policy-violation` stanza error of type "wait"
//   (RFC 6120 §8.3.3.12) and reading pauses for as long as the debt lasts. A sender that keeps
//   going until its debt is a whole burst deep gets the `policy-violation` stream error
//   (RFC 6120 §4.9.3.14) and is disconnected.
import { TokenBucket } from '../net/token-bucket.ts';

export interface RateLimitSettings {
  stanzaRate: number;
  stanzaBurst: number;
  byteRate: number;
  byteBurst: number;
}

export type StanzaVerdict = { kind: 'ok' } | { kind: 'refuse'; waitMs: number } | { kind: 'close' };

export class StreamRateLimits {
  private readonly stanzas: TokenBucket;
  private readonly bytes: TokenBucket;
  /** A debt deeper than this many milliseconds of stanzas means the sender ignores the refusals. */
  private readonly closeAfterMs: number;
  /** Refusals since the stream last sent a stanza within its rate (for one log line per episode). */
  refusedInRow = 0;

  constructor(readonly settings: RateLimitSettings, now: () => number = Date.now) {
    this.stanzas = new TokenBucket(settings.stanzaRate, settings.stanzaBurst, now);
    this.bytes = new TokenBucket(settings.byteRate, settings.byteBurst, now);
    this.closeAfterMs = (settings.stanzaBurst / settings.stanzaRate) * 1000;
  }

  /** Account for bytes read; returns how long to stop reading (0: go on). */
  bytesRead(n: number): number {
    return this.bytes.take(n);
  }

  /** Account for one stanza received and decide its fate. */
  stanza(): StanzaVerdict {
    const wait = this.stanzas.take(1);
    if (wait === 0) {
      this.refusedInRow = 0;
      return { kind: 'ok' };
    }
    this.refusedInRow++;
    return wait > this.closeAfterMs ? { kind: 'close' } : { kind: 'refuse', waitMs: wait };
  }
}

/**
 * Reading from a connection may be held for several reasons at once (a backlog of stanzas to
 * handle, a rate limit); it resumes only when none holds any more.
 */
export class ReadGate {
  // Both made on first use: most streams are never held (a Set and a Map less per idle connection).
  private holds: Set<string> | null = null;
  private timers: Map<string, NodeJS.Timeout> | null = null;

  constructor(private readonly pause: () => void, private readonly resume: () => void) {}

  hold(reason: string): void {
    const holds = (this.holds ??= new Set());
    if (holds.size === 0) this.pause();
    holds.add(reason);
  }

  release(reason: string): void {
    if (!this.holds?.delete(reason)) return;
    if (this.holds.size === 0) this.resume();
  }

  /** Hold for ms milliseconds from now (a new hold for the same reason restarts the timer). */
  holdFor(reason: string, ms: number): void {
    if (ms <= 0) return;
    this.hold(reason);
    const timers = (this.timers ??= new Map());
    clearTimeout(timers.get(reason));
    const t = setTimeout(() => {
      timers.delete(reason);
      this.release(reason);
    }, ms);
    t.unref();
    timers.set(reason, t);
  }

  isHeld(reason: string): boolean {
    return this.holds?.has(reason) ?? false;
  }

  dispose(): void {
    if (!this.timers) return;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
