// Response headers for stored files, pure: RFC 9110 §14 byte ranges, Content-Disposition
// (RFC 6266, filename* per RFC 8187) and the hardening every served file gets.

export type RangeDecision =
  | { kind: 'full' }
  | { kind: 'partial'; start: number; end: number }
  | { kind: 'unsatisfiable' };

/**
 * RFC 9110 §14.2: one range "a-b", "a-" or "-n" → partial; a range starting past the end →
 * unsatisfiable (416); several ranges or anything malformed → the whole file (a server MAY ignore Range).
 */
export function decideRange(header: string | undefined, size: number): RangeDecision {
  if (header === undefined) return { kind: 'full' };
  const m = /^bytes=\s*(\d*)-(\d*)\s*$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return { kind: 'full' };
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return { kind: 'full' }; // invalid range-spec: ignore
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end };
}

/** RFC 8187 ext-value for filename*. */
function rfc8187(s: string): string {
  return encodeURIComponent(s).replace(/['()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/**
 * Shown in the browser only for media that cannot run script; everything else (HTML, SVG, PDF,
 * executables, unknown) is a download. The name is sent as RFC 8187 UTF-8 and an ASCII fallback.
 */
export function contentDisposition(type: string, name: string): string {
  const t = type.split(';')[0].trim().toLowerCase();
  const inline = (t.startsWith('image/') && t !== 'image/svg+xml') || t.startsWith('audio/') || t.startsWith('video/');
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `${inline ? 'inline' : 'attachment'}; filename="${ascii}"; filename*=UTF-8''${rfc8187(name)}`;
}

export function securityHeaders(): Record<string, string> {
  return {
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; sandbox",
    'referrer-policy': 'no-referrer',
    'cross-origin-resource-policy': 'cross-origin',
  };
}

/** CORS for web clients: no credentials (auth is a header, and '*' with credentials is refused by browsers). */
export function corsHeaders(origin: string | undefined, allowed: string[]): Record<string, string> {
  if (allowed.length === 0) return { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'Content-Length, Content-Range, ETag' };
  if (origin && allowed.includes(origin)) return { 'access-control-allow-origin': origin, vary: 'Origin', 'access-control-expose-headers': 'Content-Length, Content-Range, ETag' };
  return { vary: 'Origin' };
}

export function preflightHeaders(origin: string | undefined, allowed: string[]): Record<string, string> {
  return {
    ...corsHeaders(origin, allowed),
    'access-control-allow-methods': 'GET, HEAD, PUT, OPTIONS',
    'access-control-allow-headers': 'Authorization, Content-Type',
    'access-control-max-age': '86400',
  };
}

/** ETag of a stored file: its sha-256, quoted (RFC 9110 §8.8.3). */
export function etagOf(sha256: string): string {
  return `"${sha256}"`;
}

/** RFC 9110 §13.1.2 If-None-Match: "*" or a list of entity tags (weak comparison). */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').map((t) => t.trim().replace(/^W\//, '')).includes(etag);
}
