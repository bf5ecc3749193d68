// Failed-authentication throttling (hardening): each failure from an address makes the next
// failure answer slower, exponentially, up to a cap; it decays after a quiet period. Nothing is
// locked, so an attacker cannot lock an owner out of their own account.
import { addressKey } from '../net/connection-guard.ts';

interface Record {
  count: number;
  last: number;
}

export class AuthThrottle {
  private failures = new Map<string, Record>();

  constructor(
    private readonly baseMs = 250,
    private readonly capMs = 30_000,
    private readonly decayMs = 15 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds to hold back the answer to a failed attempt from this address. */
  failed(address: string): number {
    const key = addressKey(address);
    const t = this.now();
    const r = this.failures.get(key);
    const count = r && t - r.last < this.decayMs ? r.count + 1 : 1;
    if (this.failures.size > 100_000) this.failures.clear();
    this.failures.set(key, { count, last: t });
    // First two failures are free (typos); then 250 ms, 500 ms, 1 s ... up to the cap.
    return count <= 2 ? 0 : Math.min(this.capMs, this.baseMs * 2 ** (count - 3));
  }

  succeeded(address: string): void {
    this.failures.delete(addressKey(address));
  }
}
