// Helpers for Module.reload: which options changed, and applying the ones a module reads at use
// time (from ctx.options, never copied at start) by replacing them in place.
import { isDeepStrictEqual } from 'node:util';
import type { ModuleContext } from './types.ts';

/** Top-level keys whose values differ between two option objects. */
export function changedKeys(before: object, after: object): string[] {
  const a = before as Record<string, unknown>;
  const b = after as Record<string, unknown>;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => !isDeepStrictEqual(a[k], b[k])).sort();
}

/**
 * A Module.reload for options the module reads live: changed keys listed in `live` are written into
 * ctx.options; the other changed keys are returned (restart needed) and keep their old values.
 */
export function reloadLive<O extends object>(live: readonly (keyof O & string)[]): (next: O, ctx: ModuleContext<O>) => string[] {
  const liveSet = new Set<string>(live);
  return (next, ctx) => {
    const current = ctx.options as Record<string, unknown>;
    const incoming = next as Record<string, unknown>;
    const restart: string[] = [];
    for (const k of changedKeys(current, incoming)) {
      if (!liveSet.has(k)) restart.push(k);
      else if (k in incoming) current[k] = incoming[k];
      else delete current[k];
    }
    return restart;
  };
}
