// RFC 6120 §10.1 asks that stanzas from one entity to another are delivered in order. While a
// message from A to B waits for its files, later messages from A to B wait behind it (one queue
// per sender bare JID and recipient bare JID); other pairs are never delayed. Each held message's
// work starts at once; release happens strictly in arrival order.

export interface Held {
  /** Resolves when the message may go (its rewrite is done, or it needed none). */
  ready: Promise<void>;
  release(): Promise<void>;
}

export class PairQueues {
  private queues = new Map<string, Held[]>();

  get size(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }

  isHolding(key: string): boolean {
    return this.queues.has(key);
  }

  /** Queue a message; the pair's queue drains itself in order. */
  push(key: string, item: Held, onError: (err: unknown) => void): void {
    const q = this.queues.get(key);
    if (q) {
      q.push(item);
      return;
    }
    this.queues.set(key, [item]);
    void this.drain(key, onError);
  }

  private async drain(key: string, onError: (err: unknown) => void): Promise<void> {
    const q = this.queues.get(key)!;
    while (q.length > 0) {
      const item = q[0];
      try {
        await item.ready;
        await item.release();
      } catch (err) {
        onError(err);
      }
      q.shift();
    }
    this.queues.delete(key);
  }
}
