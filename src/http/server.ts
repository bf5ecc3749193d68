// The HTTP and HTTPS listeners: one request handler over the shared route table.
import { createServer as createHttp, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { SecureContext } from 'node:tls';
import type { Logger } from '../observability/log.ts';
import type { HttpRoutes } from './routes.ts';

export async function startHttp(routes: HttpRoutes, opts: { port: number; httpsPort: number; interfaces: string[]; secureContext: () => SecureContext; log: Logger }): Promise<Server[]> {
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const h = routes.match(path);
    try {
      if (!h) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
        return;
      }
      await h(req, res);
    } catch (err) {
      opts.log.error({ err, path }, 'HTTP handler failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error\n');
    }
  };
  const servers: Server[] = [];
  const listen = async (make: () => Server, port: number) => {
    for (const host of opts.interfaces) {
      const server = make();
      server.on('upgrade', (req, socket, head) => {
        const h = routes.matchUpgrade(new URL(req.url ?? '/', 'http://x').pathname);
        if (h) h(req, socket, head);
        else socket.destroy();
      });
      server.headersTimeout = 30_000;
      server.requestTimeout = 300_000;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ port, host }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      servers.push(server);
    }
  };
  if (opts.port) await listen(() => createHttp(handle), opts.port);
  if (opts.httpsPort) await listen(() => createHttps({ secureContext: opts.secureContext(), SNICallback: (_n, cb) => cb(null, opts.secureContext()) }, handle), opts.httpsPort);
  return servers;
}
