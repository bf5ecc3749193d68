// XML escaping for the serializer. Attribute values are always written in double quotes.
// CR is escaped in text too: a parser turns a raw CR into LF (XML 1.0 §2.11), so it would not survive.
const TEXT_RE = /[&<>\r]/g;
const ATTR_RE = /[&<>"'\t\n\r]/g;
const MAP: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' };

export function escapeText(s: string): string {
  return TEXT_RE.test(s) ? ((TEXT_RE.lastIndex = 0), s.replace(TEXT_RE, (c) => MAP[c])) : s;
}

export function escapeAttr(s: string): string {
  return ATTR_RE.test(s) ? ((ATTR_RE.lastIndex = 0), s.replace(ATTR_RE, (c) => MAP[c])) : s;
}
