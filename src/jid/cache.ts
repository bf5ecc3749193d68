// A bounded least-recently-used cache. JID normalisation runs for the 'to' and 'from' of every
// stanza, and the same few thousand addresses recur, so results are remembered; the bound keeps
// a flood of distinct addresses from growing memory without limit.

const allCaches = new Set<LruCache<unknown>>();

/** Empties every cache of this package; for tests that must exercise the uncached path. */
export function clearAllCaches(): void {
  for (const cache of allCaches) cache.clear();
}

export class LruCache<V> {
  // A Map iterates in insertion order, so re-inserting on each hit keeps the oldest entry first.
  readonly #entries = new Map<string, V>();

  constructor(
    readonly maxEntries: number,
    /** Longer keys are computed every time instead of stored, bounding memory to about maxEntries * maxKeyLength. */
    readonly maxKeyLength: number,
  ) {
    allCaches.add(this);
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    if (key.length > this.maxKeyLength) return;
    if (this.#entries.has(key)) this.#entries.delete(key);
    else if (this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, value);
  }

  /** Returns the cached value or computes and stores it; a computation that throws is not cached. */
  getOrCompute(key: string, compute: (key: string) => V): V {
    const hit = this.get(key);
    if (hit !== undefined) return hit;
    const value = compute(key);
    this.set(key, value);
    return value;
  }

  clear(): void {
    this.#entries.clear();
  }
}
