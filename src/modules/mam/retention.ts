// Archive retention: messages older than retention_days are deleted, oldest first (XEP-0313 §3.2:
// no holes), in bounded batches so a large backlog never holds the database for long.
import type { Logger } from '../../observability/log.ts';
import type { ArchiveStore } from '../../storage/types.ts';

export interface RetentionOptions {
  days: number;
  intervalMs: number;
  batchSize: number;
  /** Most batches per run; the rest waits for the next run. */
  maxBatches: number;
}

/** One run: delete expired messages batch by batch, yielding to the event loop between batches. */
export async function expireOnce(store: ArchiveStore, o: RetentionOptions, now: number, stopped: () => boolean = () => false): Promise<number> {
  const cutoff = now - o.days * 86_400_000;
  let total = 0;
  for (let i = 0; i < o.maxBatches && !stopped(); i++) {
    const n = await store.deleteBefore(cutoff, o.batchSize);
    total += n;
    if (n < o.batchSize) break;
    await new Promise((r) => setImmediate(r));
  }
  return total;
}

/** Starts the periodic job (first run soon after start); returns its stop function. days = 0: nothing to do. */
export function startRetention(store: ArchiveStore, o: RetentionOptions, log: Logger): () => void {
  if (o.days <= 0) return () => {};
  let stopped = false;
  let running = false;
  const run = async () => {
    if (running || stopped) return;
    running = true;
    try {
      const n = await expireOnce(store, o, Date.now(), () => stopped);
      if (n > 0) log.info({ deleted: n, retention_days: o.days }, 'expired archived messages');
    } catch (err) {
      log.error({ err }, 'archive retention run failed');
    } finally {
      running = false;
    }
  };
  const first = setTimeout(run, Math.min(o.intervalMs, 5_000));
  const timer = setInterval(run, o.intervalMs);
  first.unref();
  timer.unref();
  return () => {
    stopped = true;
    clearTimeout(first);
    clearInterval(timer);
  };
}
