// GET/HEAD/OPTIONS for a stored file, shared by uploads and pulled files (one code path for
// Range, conditional requests, CORS and hardening headers). Every answer is access-logged.
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { FileAccess, ServedFile } from '../../core/services.ts';
import type { FileAccessEntry } from '../../storage/types.ts';
import { contentDisposition, corsHeaders, decideRange, etagOf, noneMatch, preflightHeaders, securityHeaders } from './http-headers.ts';

export interface ServeDeps {
  corsOrigins: string[];
  trustProxy: boolean;
  now(): number;
  logAccess(entry: FileAccessEntry): void;
}

export function clientIp(req: IncomingMessage, trustProxy: boolean): string {
  const fwd = trustProxy ? req.headers['x-forwarded-for'] : undefined;
  const first = (Array.isArray(fwd) ? fwd[0] : fwd)?.split(',')[0]?.trim();
  return first || req.socket.remoteAddress || 'unknown';
}

function log(deps: ServeDeps, req: IncomingMessage, access: FileAccess, status: number, bytes: number): void {
  deps.logAccess({
    time: deps.now(), kind: access.kind, ref: access.ref, owner: access.owner, ip: clientIp(req, deps.trustProxy),
    userAgent: req.headers['user-agent'] ?? null, range: (req.headers.range as string | undefined) ?? null, bytes, status,
  });
}

export function notFound(deps: ServeDeps, req: IncomingMessage, res: ServerResponse, access?: FileAccess): void {
  if (access) log(deps, req, access, 404, 0);
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', ...corsHeaders(req.headers.origin, deps.corsOrigins), ...securityHeaders() }).end('not found\n');
}

export async function serveFile(deps: ServeDeps, req: IncomingMessage, res: ServerResponse, file: ServedFile, access: FileAccess): Promise<void> {
  const origin = req.headers.origin;
  if (req.method === 'OPTIONS') {
    res.writeHead(204, preflightHeaders(origin, deps.corsOrigins)).end();
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD, OPTIONS', ...corsHeaders(origin, deps.corsOrigins) }).end();
    return;
  }
  const etag = etagOf(file.sha256);
  const left = file.expiresAt === null ? 365 * 86400 : Math.max(0, Math.floor((file.expiresAt - deps.now()) / 1000));
  const headers: Record<string, string | number> = {
    'content-type': file.type,
    etag,
    'last-modified': new Date(file.lastModified).toUTCString(),
    'accept-ranges': 'bytes',
    'cache-control': `private, max-age=${left}, immutable`,
    'content-disposition': contentDisposition(file.type, file.name),
    ...securityHeaders(),
    ...corsHeaders(origin, deps.corsOrigins),
  };
  if (noneMatch(req.headers['if-none-match'], etag)) {
    res.writeHead(304, { etag, 'cache-control': String(headers['cache-control']), ...corsHeaders(origin, deps.corsOrigins) }).end();
    log(deps, req, access, 304, 0);
    return;
  }
  // RFC 9110 §13.1.5: If-Range with another validator means "send it all".
  const ifRange = req.headers['if-range'];
  const range = ifRange !== undefined && ifRange !== etag ? { kind: 'full' as const } : decideRange(req.headers.range, file.size);
  if (range.kind === 'unsatisfiable') {
    res.writeHead(416, { 'content-range': `bytes */${file.size}`, ...corsHeaders(origin, deps.corsOrigins), ...securityHeaders() }).end();
    log(deps, req, access, 416, 0);
    return;
  }
  const [status, start, end] = range.kind === 'partial' ? [206, range.start, range.end] : [200, 0, file.size - 1];
  headers['content-length'] = file.size === 0 ? 0 : end - start + 1;
  if (status === 206) headers['content-range'] = `bytes ${start}-${end}/${file.size}`;
  res.writeHead(status, headers);
  if (req.method === 'HEAD' || file.size === 0) {
    res.end();
    log(deps, req, access, status, 0);
    return;
  }
  let sent = 0;
  const body = createReadStream(file.path, { start, end });
  body.on('data', (c: Buffer | string) => (sent += c.length));
  try {
    await pipeline(body, res);
  } catch {
    res.destroy(); // client went away or the file vanished mid-way: nothing more to say
  } finally {
    log(deps, req, access, status, sent);
  }
}
