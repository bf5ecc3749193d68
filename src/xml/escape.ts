// XML escaping for the serializer. Attribute values are always written in double quotes.
const TEXT_RE = /[&<>]/g;
const ATTR_RE = /[&<>"'\t\n\r]/g;
const MAP: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' };

export function escapeText(s: string): string {
  return TEXT_RE.test(s) ? ((TEXT_RE.lastIndex = 0), s.replace(TEXT_RE, (c) => MAP[c])) : s;
}

export function escapeAttr(s: string): string {
  return ATTR_RE.test(s) ? ((ATTR_RE.lastIndex = 0), s.replace(ATTR_RE, (c) => MAP[c])) : s;
}
