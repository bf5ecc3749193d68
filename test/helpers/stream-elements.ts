// The top-level elements (stanzas and nonzas) a raw client received on its current stream,
// parsed with an independent parser (saxes), so tests can count stanzas the way XEP-0198
// counts them and match them with xml-pattern.ts.
import { SaxesParser } from 'saxes';
import { Element } from 'ltx';

/** Complete top-level elements after the last stream header in text (stream restarts start over). */
export function streamElements(text: string): Element[] {
  const start = text.lastIndexOf('<stream:stream');
  if (start < 0) return [];
  const out: Element[] = [];
  const parser = new SaxesParser({ fragment: true });
  let depth = 0;
  let current: Element | null = null;
  parser.on('opentag', (tag) => {
    depth++;
    if (depth === 1) return; // <stream:stream>
    const el = new Element(tag.name, { ...(tag.attributes as Record<string, string>) });
    if (current) (current as unknown as { cnode(e: Element): Element }).cnode(el);
    current = el;
  });
  parser.on('text', (t) => {
    if (current) (current as unknown as { t(s: string): Element }).t(t);
  });
  parser.on('closetag', () => {
    depth--;
    if (depth === 0 || !current) return;
    if (depth === 1) out.push(current);
    current = current.parent;
  });
  try {
    parser.write(text.slice(start));
  } catch {
    /* a partial element at the end, or the stream's own end: what is complete so far counts */
  }
  return out;
}

/** Stanzas (message, presence, iq) among elements, in order. */
export function stanzasOf(elements: Element[]): Element[] {
  return elements.filter((e) => e.name === 'message' || e.name === 'presence' || e.name === 'iq');
}
