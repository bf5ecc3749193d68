// Route table of the one HTTP server (metrics, later upload, WebSocket, admin): longest prefix wins.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

export class HttpRoutes {
  private routes: Array<{ prefix: string; handler: HttpHandler }> = [];
  private upgrades: Array<{ prefix: string; handler: UpgradeHandler }> = [];

  add(prefix: string, handler: HttpHandler): void {
    this.routes.push({ prefix, handler });
    this.routes.sort((a, b) => b.prefix.length - a.prefix.length);
  }
  addUpgrade(prefix: string, handler: UpgradeHandler): void {
    this.upgrades.push({ prefix, handler });
    this.upgrades.sort((a, b) => b.prefix.length - a.prefix.length);
  }
  match(path: string): HttpHandler | undefined {
    return this.routes.find((r) => path === r.prefix || path.startsWith(r.prefix.endsWith('/') ? r.prefix : r.prefix + '/'))?.handler;
  }
  matchUpgrade(path: string): UpgradeHandler | undefined {
    return this.upgrades.find((r) => path === r.prefix || path.startsWith(r.prefix + '/'))?.handler;
  }
}
