// TCP listeners for c2s (STARTTLS and Direct TLS). Each accepted socket becomes a Transport.
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import type { TlsOptions } from './tcp-transport.ts';
import { TcpTransport } from './tcp-transport.ts';
import type { Transport } from './transport.ts';

export interface ListenSpec {
  name: string;
  port: number;
  interfaces: string[];
  directTls: boolean;
}

export async function listenTcp(spec: ListenSpec, tls: TlsOptions | null, onTransport: (t: Transport) => void): Promise<NetServer[]> {
  const servers: NetServer[] = [];
  for (const host of spec.interfaces) {
    const server = createServer({ pauseOnConnect: false }, (socket: Socket) => {
      onTransport(new TcpTransport(socket, spec.name, tls, spec.directTls));
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
