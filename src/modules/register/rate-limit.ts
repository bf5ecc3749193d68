// Sliding-window counters for registration attempts (docs/registration.md: per client IP, IPv6
// per /64, plus a global breaker). Pure and clock-injected, so it is tested without waiting.
import { isIPv6 } from 'node:net';

export interface Window {
  ms: number;
  max: number;
}

export class SlidingWindowLimiter {
  private hits = new Map<string, number[]>();
  private readonly longest: number;
  private calls = 0;

  constructor(private readonly windows: Window[], private readonly now: () => number = Date.now) {
    this.longest = Math.max(0, ...windows.map((w) => w.ms));
  }

  /** Whether one more hit for `key` stays within every window. */
  allows(key: string): boolean {
    const t = this.now();
    const list = this.prune(key, t);
    return this.windows.every((w) => list.filter((h) => h > t - w.ms).length < w.max);
  }

  hit(key: string): void {
    const t = this.now();
    const list = this.prune(key, t);
    list.push(t);
    this.hits.set(key, list);
    // Bound memory: now and then drop keys whose hits have all expired.
    if (++this.calls % 256 === 0) for (const k of [...this.hits.keys()]) if (this.prune(k, t).length === 0) this.hits.delete(k);
  }

  private prune(key: string, t: number): number[] {
    const list = (this.hits.get(key) ?? []).filter((h) => h > t - this.longest);
    if (list.length) this.hits.set(key, list);
    else this.hits.delete(key);
    return list;
  }
}

/** The rate-limit key of a client address: IPv4 as is, IPv6 by its /64 (one subscriber's prefix). */
export function addressKey(address: string): string {
  const a = address.startsWith('::ffff:') && !isIPv6(address.slice(7)) ? address.slice(7) : address;
  if (!isIPv6(a)) return a;
  const [head, tail = ''] = a.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = a.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return groups.slice(0, 4).map((g) => parseInt(g || '0', 16).toString(16)).join(':') + '::/64';
}
