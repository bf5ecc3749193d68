// The typed hook bus: modules observe, transform or consume events without importing each other.
// Handlers run in priority order (higher first; equal priorities in registration order).
// A handler that returns true consumes the event: later handlers do not run and fire() returns true.
export type HookHandler<P> = (payload: P) => boolean | void | Promise<boolean | void>;

interface Entry<P> {
  handler: HookHandler<P>;
  priority: number;
  seq: number;
}

export class HookBus<Events extends { [K in keyof Events]: unknown }> {
  private handlers = new Map<keyof Events, Entry<never>[]>();
  private seq = 0;
  constructor(private readonly onHandlerError: (event: string, err: unknown) => void = () => {}) {}

  /** Register a handler; returns a function that removes it. */
  on<K extends keyof Events>(event: K, handler: HookHandler<Events[K]>, priority = 0): () => void {
    const list = (this.handlers.get(event) ?? []) as Entry<Events[K]>[];
    const entry: Entry<Events[K]> = { handler, priority, seq: this.seq++ };
    list.push(entry);
    list.sort((a, b) => b.priority - a.priority || a.seq - b.seq);
    this.handlers.set(event, list as Entry<never>[]);
    return () => {
      const cur = this.handlers.get(event) as Entry<Events[K]>[] | undefined;
      if (!cur) return;
      const i = cur.indexOf(entry);
      if (i >= 0) cur.splice(i, 1);
    };
  }

  has<K extends keyof Events>(event: K): boolean {
    return (this.handlers.get(event)?.length ?? 0) > 0;
  }

  /**
   * Run handlers until one consumes the event. A throwing handler is logged and skipped:
   * one broken module must not take routing down with it. StanzaErrors propagate so the
   * caller can answer the sender.
   */
  async fire<K extends keyof Events>(event: K, payload: Events[K]): Promise<boolean> {
    const list = this.handlers.get(event) as Entry<Events[K]>[] | undefined;
    if (!list || list.length === 0) return false;
    for (const { handler } of [...list]) {
      let result: boolean | void;
      try {
        result = await handler(payload);
      } catch (err) {
        if (isPropagating(err)) throw err;
        this.onHandlerError(String(event), err);
        continue;
      }
      if (result === true) return true;
    }
    return false;
  }
}

/** Errors marked with `propagate = true` (StanzaError) pass through fire() to the caller. */
function isPropagating(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { propagate?: unknown }).propagate === true;
}
