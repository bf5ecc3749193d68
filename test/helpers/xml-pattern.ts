// Matching received stanzas against a pattern written as XML, the way Prosody's scansion
// transcripts do: the pattern lists what must be there, the stanza may carry more.
//   - every attribute in the pattern must be present with that value; the value "{any}"
//     accepts any value and "{absent}" requires the attribute to be missing;
//   - every child element in the pattern must match a distinct child of the stanza (any order);
//   - text in the pattern must equal the element's text (surrounding whitespace ignored).
// Namespaces are compared as written: a pattern child with xmlns must match one declaring it.
import { parse, type Element } from 'ltx';

export const ANY = '{any}';
export const ABSENT = '{absent}';

export type Pattern = string | Element | ((el: Element) => boolean);

export function toMatcher(pattern: Pattern): (el: Element) => boolean {
  if (typeof pattern === 'function') return pattern;
  const p = typeof pattern === 'string' ? parse(pattern) : pattern;
  return (el) => matches(p, el);
}

export function describePattern(pattern: Pattern): string {
  if (typeof pattern === 'function') return `a stanza satisfying ${pattern.toString().slice(0, 200)}`;
  return typeof pattern === 'string' ? pattern.trim() : pattern.toString();
}

function ns(el: Element): string | undefined {
  return el.getNS();
}

export function matches(pattern: Element, el: Element): boolean {
  if (pattern.name !== el.name) return false;
  for (const [k, v] of Object.entries(pattern.attrs)) {
    const actual = k === 'xmlns' ? ns(el) : el.attrs[k];
    if (v === ABSENT) {
      if (actual !== undefined) return false;
    } else if (v === ANY) {
      if (actual === undefined) return false;
    } else if (actual !== v) return false;
  }
  const want = pattern.children.filter((c): c is Element => typeof c !== 'string');
  const have = el.children.filter((c): c is Element => typeof c !== 'string');
  const used = new Set<Element>();
  for (const w of want) {
    const hit = have.find((h) => !used.has(h) && matches(w, h));
    if (!hit) return false;
    used.add(hit);
  }
  const text = pattern.children.filter((c): c is string => typeof c === 'string').join('').trim();
  if (text && el.children.filter((c): c is string => typeof c === 'string').join('').trim() !== text) return false;
  return true;
}
