// A bounded, approximately least-recently-used cache for hot lookups: JID normalisation (the 'to'
// and 'from' of every stanza, where the same few thousand addresses recur), parsed blocklists.
// The bound keeps a flood of distinct keys from growing memory without limit.

const allCaches = new Set<LruCache<unknown>>();

/** Empties every cache; for tests that must exercise the uncached path. */
export function clearAllCaches(): void {
  for (const cache of allCaches) cache.clear();
}

/**
 * An approximate LRU in two generations: hits in the young generation cost one Map lookup (a
 * strict LRU re-inserts on every hit, which profiling showed as the hottest line when a MUC fans a
 * message out to hundreds of occupants); a hit in the old generation moves the entry back to the
 * young one; when the young one is full it becomes the old one and the previous old one is
 * dropped. An entry survives at least maxEntries/2 insertions after its last use.
 */
export class LruCache<V> {
  #young = new Map<string, V>();
  #old = new Map<string, V>();
  readonly #generation: number;

  constructor(
    readonly maxEntries: number,
    /** Longer keys are computed every time instead of stored, bounding memory to about maxEntries * maxKeyLength. */
    readonly maxKeyLength: number,
  ) {
    this.#generation = Math.max(1, Math.floor(maxEntries / 2));
    allCaches.add(this);
  }

  get size(): number {
    return this.#young.size + this.#old.size;
  }

  get(key: string): V | undefined {
    const young = this.#young.get(key);
    if (young !== undefined) return young;
    const old = this.#old.get(key);
    if (old !== undefined) {
      this.#old.delete(key);
      this.#insert(key, old);
    }
    return old;
  }

  set(key: string, value: V): void {
    if (key.length > this.maxKeyLength) return;
    if (this.#young.has(key)) {
      this.#young.set(key, value);
      return;
    }
    this.#old.delete(key);
    this.#insert(key, value);
  }

  #insert(key: string, value: V): void {
    if (this.#young.size >= this.#generation) {
      this.#old = this.#young;
      this.#young = new Map();
    }
    this.#young.set(key, value);
  }

  /** Returns the cached value or computes and stores it; a computation that throws is not cached. */
  getOrCompute(key: string, compute: (key: string) => V): V {
    const hit = this.get(key);
    if (hit !== undefined) return hit;
    const value = compute(key);
    this.set(key, value);
    return value;
  }

  delete(key: string): void {
    this.#young.delete(key);
    this.#old.delete(key);
  }

  clear(): void {
    this.#young.clear();
    this.#old.clear();
  }
}
