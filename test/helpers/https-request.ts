// Plain HTTP(S) requests with full control of headers and body framing (Content-Length,
// chunked, a body shorter or longer than announced), for the file upload/download tests.
// Certificates are trusted through NODE_EXTRA_CA_CERTS (scripts/run-tests.mjs).
import { request as httpsRequest } from 'node:https';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';

export interface HttpReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface HttpOptions {
  method?: string;
  headers?: Record<string, string | number>;
  /** Sent as is; with chunked true it goes with Transfer-Encoding: chunked (no Content-Length). */
  body?: Buffer;
  chunked?: boolean;
  timeoutMs?: number;
  /** Reject unknown certificates (default true). */
  verify?: boolean;
  /** Connect to this address whatever the URL's host resolves to (names without DNS here); TLS still checks the URL's host. */
  connectTo?: string;
}

export function httpReq(url: string, o: HttpOptions = {}): Promise<HttpReply> {
  const u = new URL(url);
  const make = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...(o.headers ?? {}) };
    if (o.body && !o.chunked && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) headers['content-length'] = o.body.length;
    const to = o.connectTo;
    type Cb = (err: Error | null, address: string | Array<{ address: string; family: number }>, family?: number) => void;
    const lookup = to ? (_h: string, opts: { all?: boolean }, cb: Cb) => (opts.all ? cb(null, [{ address: to, family: 4 }]) : cb(null, to, 4)) : undefined;
    const req = make(u, { method: o.method ?? 'GET', headers, rejectUnauthorized: o.verify ?? true, agent: false, lookup: lookup as never }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.setTimeout(o.timeoutMs ?? 15_000, () => req.destroy(new Error(`${o.method ?? 'GET'} ${url}: no answer within ${o.timeoutMs ?? 15_000} ms`)));
    req.on('error', reject);
    if (o.chunked) req.setHeader('transfer-encoding', 'chunked');
    if (o.body) req.write(o.body);
    req.end();
  });
}
