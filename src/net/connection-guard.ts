// Admission control for new connections (RFC 6120 §13.12 resource exhaustion): total and
// per-IP concurrent connections, and a per-IP connection rate. IPv6 addresses count per /64,
// since one host usually owns a whole /64.
import { isIPv6 } from 'node:net';
import { TokenBucket } from './token-bucket.ts';

export interface GuardLimits {
  maxTotal: number;
  maxPerIp: number;
  ratePerIp: number;
  burstPerIp: number;
}

export type Refusal = 'total' | 'per_ip' | 'rate';

/** The key an address is counted under: IPv4 as is, IPv6 by its /64 prefix. */
export function addressKey(address: string): string {
  const a = address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
  if (!isIPv6(a)) return a;
  const [head, tail] = a.split('::');
  const left = head ? head.split(':') : [];
  const right = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':') + '::/64';
}

export class ConnectionGuard {
  private total = 0;
  private perIp = new Map<string, number>();
  private buckets = new Map<string, TokenBucket>();

  constructor(private readonly limits: GuardLimits) {}

  /** Admit a connection (returns a release function) or say why not. */
  admit(address: string): { release: () => void } | { refused: Refusal } {
    const key = addressKey(address);
    if (this.total >= this.limits.maxTotal) return { refused: 'total' };
    if ((this.perIp.get(key) ?? 0) >= this.limits.maxPerIp) return { refused: 'per_ip' };
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size > 100_000) this.buckets.clear(); // bounded memory under address-spraying floods
      this.buckets.set(key, (bucket = new TokenBucket(this.limits.ratePerIp, this.limits.burstPerIp)));
    }
    if (bucket.take() > 0) return { refused: 'rate' };
    this.total++;
    this.perIp.set(key, (this.perIp.get(key) ?? 0) + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.total--;
        const n = (this.perIp.get(key) ?? 1) - 1;
        if (n <= 0) this.perIp.delete(key);
        else this.perIp.set(key, n);
      },
    };
  }
}
