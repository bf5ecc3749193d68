// The stanzas held back from an inactive client (XEP-0352), in arrival order, with squashing:
// a stanza with the key of one already held replaces it (and takes its place at the end, since
// it is the newer event). Pure logic; the caller delivers what drain() returns.
import type { Element } from '../../xml/element.ts';

export interface Held {
  stanza: Element;
  /** Continues the session's outbound path after the CSI stage. */
  next: (stanza: Element) => void;
}

export class HeldStanzas {
  private items: Held[] = [];
  private byKey = new Map<string, Held>();

  get size(): number {
    return this.items.length;
  }

  /** Hold a stanza; returns true when it replaced (squashed) an older one with the same key. */
  hold(item: Held, key?: string): boolean {
    const entry = { ...item };
    let squashed = false;
    if (key !== undefined) {
      const old = this.byKey.get(key);
      if (old) {
        this.items.splice(this.items.indexOf(old), 1);
        squashed = true;
      }
      this.byKey.set(key, entry);
    }
    this.items.push(entry);
    return squashed;
  }

  /** Everything held, oldest first, leaving nothing held. */
  drain(): Held[] {
    const all = this.items;
    this.items = [];
    this.byKey.clear();
    return all;
  }
}
