// Runs async critical sections one at a time per key (here: per account), so two changes to one
// roster never interleave their read-modify-write. Different keys run concurrently. A caller must
// not wait, inside a section, for work that takes another section's lock (route after unlocking).
export class KeyedLock {
  private tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const result = prev.then(fn, fn);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with work queued or running (for tests and leak checks). */
  get size(): number {
    return this.tails.size;
  }
}
