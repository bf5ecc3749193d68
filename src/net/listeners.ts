// TCP listeners for c2s (STARTTLS and Direct TLS). Each accepted socket becomes a Transport.
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import type { TlsOptions } from './tcp-transport.ts';
import { TcpTransport } from './tcp-transport.ts';
import type { Transport } from './transport.ts';
import type { ConnectionGuard, Refusal } from './connection-guard.ts';

export interface ListenSpec {
  name: string;
  port: number;
  interfaces: string[];
  directTls: boolean;
}

export interface Admission {
  guard: ConnectionGuard;
  onRefused(listener: string, reason: Refusal, address: string): void;
}

export async function listenTcp(spec: ListenSpec, tls: TlsOptions | null, onTransport: (t: Transport) => void, admission?: Admission): Promise<NetServer[]> {
  const servers: NetServer[] = [];
  for (const host of spec.interfaces) {
    const server = createServer({ pauseOnConnect: false }, (socket: Socket) => {
      const address = socket.remoteAddress ?? '';
      const ticket = admission?.guard.admit(address);
      if (ticket && 'refused' in ticket) {
        admission!.onRefused(spec.name, ticket.refused, address);
        socket.destroy();
        return;
      }
      const t = new TcpTransport(socket, spec.name, tls, spec.directTls);
      if (ticket) t.onClose(ticket.release);
      onTransport(t);
    });
    server.maxConnections = 100_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: spec.port, host }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    servers.push(server);
  }
  return servers;
}
