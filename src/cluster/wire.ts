// Stanzas on the bus as JSON trees ([name, attrs, ...children], text children as strings): the
// receiving node rebuilds the element with the native JSON parser instead of running the hardened
// XML parser again (which cost about twice the routing itself per message in bench/cluster.ts).
// Input comes from other nodes through Redis, which is trusted infrastructure; the shape and the
// depth are still checked, and anything else is refused (null).
import { Element } from '../xml/element.ts';

export type WireNode = string | WireElement;
export type WireElement = [string, Record<string, string>, ...WireNode[]];

const MAX_DEPTH = 256;

export function toWire(el: Element): WireElement {
  const out: WireElement = [el.name, el.attrs];
  for (const c of el.children) out.push(typeof c === 'string' ? c : toWire(c));
  return out;
}

export function fromWire(w: unknown, depth = 0): Element | null {
  if (!Array.isArray(w) || w.length < 2 || typeof w[0] !== 'string' || depth > MAX_DEPTH) return null;
  const attrs = w[1] as unknown;
  if (typeof attrs !== 'object' || attrs === null || Array.isArray(attrs)) return null;
  const el = new Element(w[0], attrs as Record<string, string>);
  for (let i = 2; i < w.length; i++) {
    const c = w[i] as unknown;
    if (typeof c === 'string') el.children.push(c);
    else {
      const child = fromWire(c, depth + 1);
      if (!child) return null;
      el.append(child);
    }
  }
  return el;
}
