// One queue per room: the room handles its stanzas one at a time, in arrival order, so every
// occupant sees presence and messages in the same order (XEP-0045 §7.2.1 order of events) and
// room state never changes under a handler that awaits storage.
//
// Groupchat messages are the exception that keeps throughput up: each needs its archive id (the
// XEP-0359 stanza-id) before fan-out, and each archive append is a durable write. Consecutive
// messages at the head of the queue are therefore prepared together (checked in order, appends
// started in the same turn so the store commits them in one transaction), then delivered in order.
export interface Task {
  /** Run alone. */
  run?: () => Promise<void>;
  /** Batched: check and start the durable part; resolves with the delivery step. */
  prepare?: () => Promise<(() => Promise<void>) | null>;
}

/** Most messages prepared together (bounds the work one turn can start). */
export const MAX_BATCH = 64;

export class Mailbox {
  private readonly queue: Task[] = [];
  private running = false;

  constructor(private readonly onError: (err: unknown) => void) {}

  get size(): number {
    return this.queue.length;
  }

  push(task: Task): void {
    this.queue.push(task);
    if (!this.running) void this.drain();
  }

  /** Resolves once everything queued so far has run. */
  idle(): Promise<void> {
    return new Promise((resolve) => this.push({ run: async () => resolve() }));
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const head = this.queue[0];
        if (head.prepare) {
          let n = 0;
          while (n < this.queue.length && n < MAX_BATCH && this.queue[n].prepare) n++;
          const batch = this.queue.splice(0, n);
          const prepared = batch.map((t) => t.prepare!().catch((err) => (this.onError(err), null)));
          for (const p of prepared) {
            const deliver = await p;
            if (deliver) await deliver().catch(this.onError);
          }
        } else {
          this.queue.shift();
          await head.run!().catch(this.onError);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
