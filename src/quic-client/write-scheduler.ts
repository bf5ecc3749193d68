// Client-side write scheduling across the lanes of one QUIC connection. quiche (under
// @matrixai/quic) accepts stream data only up to the connection's send capacity, shared by all
// streams, and the library wakes waiting writers in stream-id order, so a bulk lane that always
// has a write waiting takes every bit of freed capacity and a chat lane's 200-byte write can wait
// seconds behind it on a lossy link. Here each lane hands at most one write at a time to QUIC, and
// a large write goes in ~1 KiB parts, each started only when no other lane has a write in
// flight: small, interactive writes go first, bulk yields between its parts.
/** Size of the parts a large write is handed to QUIC in (about one packet). */
export const PIECE = 1024;

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
    let q = this.queues.get(lane);
    if (!q) this.queues.set(lane, (q = []));
    // Large writes go in PIECE-sized parts, so another lane's small write waits at most one part.
    const parts: Promise<void>[] = [];
    for (let off = 0; off < bytes.length || off === 0; off += PIECE) {
      const piece = bytes.subarray(off, off + PIECE);
      parts.push(new Promise((resolve) => q!.push({ bytes: piece, resolve })));
      if (bytes.length === 0) break;
    }
    this.pump();
    return Promise.all(parts).then(() => {});
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
      // A part of a large write yields to any other lane with a write in flight.
      if ((q[0].bytes.length >= PIECE || q.length > 1) && othersBusy) continue;
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
