// Client side of quic-ack for what the client sends (docs/quic.md §6): per lane the stanzas
// sent and not yet counted by the server; h >= i marks stanza i as accepted ("delivered to the
// server" tick). Also the mux lane choice for the client (docs/quic.md §4.1).
import type { Element } from '../xml/element.ts';

export interface Sent {
  el: Element;
  key: string | null;
  bytes: number;
  acked: () => void;
}

export class OutLane {
  sent = 0;
  unacked: Sent[] = [];
  unackedBytes = 0;
  constructor(readonly n: number) {}

  push(s: Sent): void {
    this.unacked.push(s);
    this.unackedBytes += s.bytes;
    this.sent = (this.sent + 1) >>> 0;
  }

  /** Apply the server's h; returns the stanzas it newly covers. */
  ack(h: number): Sent[] {
    const drop = this.unacked.length - ((this.sent - h) >>> 0);
    if (drop <= 0) return [];
    const done = this.unacked.splice(0, Math.min(drop, this.unacked.length));
    for (const s of done) this.unackedBytes -= s.bytes;
    return done;
  }
}

/** Which lane a conversation key uses: its current lane while it has unacked stanzas, else the least loaded. */
export class LaneChooser {
  private keys = new Map<string, { n: number; inflight: number }>();

  choose(key: string, lanes: Map<number, OutLane>, maxLanes: number, open: () => number): number {
    const bound = this.keys.get(key);
    if (bound && lanes.has(bound.n)) {
      bound.inflight++;
      return bound.n;
    }
    let best: OutLane | null = null;
    for (const l of lanes.values()) if (l.n > 0 && (!best || l.unackedBytes < best.unackedBytes)) best = l;
    const extra = [...lanes.keys()].filter((n) => n > 0).length;
    const n = (!best || best.unackedBytes > 0) && extra < maxLanes - 1 ? open() : best?.n ?? 0;
    this.keys.set(key, { n, inflight: 1 });
    return n;
  }

  done(key: string | null): void {
    if (key === null) return;
    const k = this.keys.get(key);
    if (k && --k.inflight <= 0) this.keys.delete(key);
  }

  reset(): void {
    this.keys.clear();
  }
}
