// Client-side write scheduling across the lanes of one QUIC connection. quiche (under
// @matrixai/quic) accepts stream data only up to the connection's send capacity, shared by all
// streams, and the library wakes waiting writers in stream-id order, so a bulk lane that always
// has a write waiting takes every bit of freed capacity and a chat lane's 200-byte write can wait
// seconds behind it on a lossy link. Here each lane hands at most one write at a time to QUIC, and
// a large write (> SMALL_WRITE) starts only when no other lane has a write in flight: small,
// interactive writes go first, bulk yields between its chunks.
export const SMALL_WRITE = 2048;

interface Pending {
  bytes: Buffer;
  resolve: () => void;
}

export interface ScheduledLane {
  /** Hand bytes to the QUIC stream; resolves when the stream accepted them. */
  rawWrite(bytes: Buffer): Promise<void>;
}

export class WriteScheduler {
  private queues = new Map<ScheduledLane, Pending[]>();
  private inFlight = new Set<ScheduledLane>();

  write(lane: ScheduledLane, bytes: Buffer): Promise<void> {
    return new Promise((resolve) => {
      let q = this.queues.get(lane);
      if (!q) this.queues.set(lane, (q = []));
      q.push({ bytes, resolve });
      this.pump();
    });
  }

  forget(lane: ScheduledLane): void {
    for (const p of this.queues.get(lane) ?? []) p.resolve();
    this.queues.delete(lane);
    this.inFlight.delete(lane);
    this.pump();
  }

  private pump(): void {
    for (const [lane, q] of this.queues) {
      if (q.length === 0 || this.inFlight.has(lane)) continue;
      const othersBusy = [...this.inFlight].some((l) => l !== lane);
      if (q[0].bytes.length > SMALL_WRITE && othersBusy) continue;
      const p = q.shift()!;
      this.inFlight.add(lane);
      void lane.rawWrite(p.bytes).finally(() => {
        this.inFlight.delete(lane);
        p.resolve();
        this.pump();
      });
    }
  }
}
