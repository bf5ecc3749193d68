// Rate limits shared by every stream from one peer address (IPv4 address or IPv6 /64), so a
// server cannot multiply its allowance by opening more s2s connections. A peer's buckets
// outlive its connections for a while: reconnecting does not refill them.
import { addressKey } from './connection-guard.ts';
import { StreamRateLimits, type RateLimitSettings } from '../stream/limits.ts';

interface Entry {
  limits: StreamRateLimits;
  refs: number;
}

export class PeerRateLimits {
  private readonly peers = new Map<string, Entry>();

  constructor(private readonly settings: RateLimitSettings, private readonly maxIdlePeers = 10_000) {}

  /** The limits for this address; call release() when the stream is gone. */
  acquire(address: string): { limits: StreamRateLimits; release: () => void } {
    const key = addressKey(address);
    let entry = this.peers.get(key);
    if (!entry) {
      if (this.peers.size >= this.maxIdlePeers) this.forgetIdle();
      this.peers.set(key, (entry = { limits: new StreamRateLimits(this.settings), refs: 0 }));
    }
    entry.refs++;
    const e = entry;
    let released = false;
    return {
      limits: e.limits,
      release: () => {
        if (released) return;
        released = true;
        e.refs--;
      },
    };
  }

  get size(): number {
    return this.peers.size;
  }

  private forgetIdle(): void {
    for (const [k, e] of this.peers) if (e.refs <= 0) this.peers.delete(k);
  }
}
