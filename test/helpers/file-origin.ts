// A loopback HTTPS origin for file-pull tests (the "remote" file host): serves fixed files,
// redirects, an endless body without Content-Length, and counts every connection and request,
// so a test can assert that something was never contacted. Uses the committed test certificate
// (SAN localhost, *.parley.test, IP 127.0.0.1), which the Parley under test trusts through
// NODE_EXTRA_CA_CERTS.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { testCert, testKey } from './server.ts';
import { freePort } from './ports.ts';

export interface Origin {
  host: string;
  port: number;
  url(path: string): string;
  connections: number;
  requests: Array<{ path: string; ua: string | undefined; at: number }>;
  close(): Promise<void>;
}

export type Route = (send: (status: number, headers: Record<string, string | number>, body?: Buffer | AsyncIterable<Buffer>) => void, path: string) => void;

export async function startOrigin(routes: Record<string, Route>, host = '127.0.0.1', port?: number): Promise<Origin> {
  const p = port ?? (await freePort(host));
  const origin: Origin = {
    host,
    port: p,
    url: (path) => `https://${host}:${p}${path}`,
    connections: 0,
    requests: [],
    close: () => new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
  const server: Server = createServer({ cert: readFileSync(testCert), key: readFileSync(testKey) }, (req, res) => {
    const path = new URL(req.url ?? '/', 'https://x').pathname;
    origin.requests.push({ path, ua: req.headers['user-agent'], at: Date.now() });
    const route = routes[path];
    if (!route) return void res.writeHead(404).end();
    route(async (status, headers, body) => {
      res.writeHead(status, headers);
      if (!body) return void res.end();
      if (Buffer.isBuffer(body)) return void res.end(body);
      try {
        for await (const chunk of body) if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
        res.end();
      } catch {
        res.destroy();
      }
    }, path);
  });
  server.on('connection', () => origin.connections++);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(p, host, () => resolve());
  });
  return origin;
}

/** A body of n bytes in 64 KiB chunks, sent without Content-Length (chunked). */
export async function* bytes(n: number): AsyncIterable<Buffer> {
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  for (let sent = 0; sent < n; sent += chunk.length) yield chunk.subarray(0, Math.min(chunk.length, n - sent));
}
