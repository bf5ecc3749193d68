// Reading the few things the load client needs from a stanza string, without parsing it.

/** The element's name ('message', 'iq', 'stream:features', ...). */
export function elementName(xml: string): string {
  let end = 1;
  while (end < xml.length) {
    const c = xml.charCodeAt(end);
    if (c === 32 || c === 62 || c === 47 || c === 9 || c === 10 || c === 13) break;
    end++;
  }
  return xml.slice(1, end);
}

/** An attribute of the top-level element (either quote style), XML entities left as they are. */
export function topAttr(xml: string, name: string): string | undefined {
  const tagEnd = xml.indexOf('>');
  const head = tagEnd < 0 ? xml : xml.slice(0, tagEnd);
  const at = head.search(new RegExp(`\\s${name}=['"]`));
  if (at < 0) return undefined;
  const q = head[at + name.length + 2];
  const from = at + name.length + 3;
  const to = head.indexOf(q, from);
  return to < 0 ? undefined : head.slice(from, to);
}

/** Text content of the first <name ...>text</name> (or undefined); no entity decoding. */
export function childText(xml: string, name: string): string | undefined {
  const open = xml.indexOf(`<${name}`);
  if (open < 0) return undefined;
  const gt = xml.indexOf('>', open);
  if (gt < 0 || xml[gt - 1] === '/') return '';
  const close = xml.indexOf(`</${name}>`, gt);
  return close < 0 ? undefined : xml.slice(gt + 1, close);
}

/** How many times `needle` occurs in `xml`. */
export function countOf(xml: string, needle: string): number {
  let n = 0;
  for (let i = xml.indexOf(needle); i >= 0; i = xml.indexOf(needle, i + needle.length)) n++;
  return n;
}

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;').replace(/"/g, '&quot;');
}
