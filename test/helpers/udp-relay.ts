// A UDP relay between a QUIC client and a server on loopback that can change the address the
// server sees (a NAT rebinding): after rebind(), packets leave from a new local port. Forces
// a QUIC connection migration (RFC 9000 §9) without touching the client. Setting `drop` black-holes
// one or both directions: a connection that dies abruptly, with nothing telling the other side.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

export class UdpRelay {
  private front!: Socket;
  private upstream!: Socket;
  private client: RemoteInfo | null = null;
  port = 0;
  rebinds = 0;
  drop: 'none' | 'to-server' | 'to-client' | 'both' = 'none';

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<void> {
    this.front = createSocket('udp4');
    this.front.on('message', (msg, from) => {
      this.client = from;
      if (this.drop === 'to-server' || this.drop === 'both') return;
      this.upstream.send(msg, this.target.port, this.target.host);
    });
    await new Promise<void>((r) => this.front.bind(0, '127.0.0.1', () => r()));
    this.port = this.front.address().port;
    await this.openUpstream();
  }

  private async openUpstream(): Promise<void> {
    const s = createSocket('udp4');
    s.on('message', (msg) => {
      if (this.drop === 'to-client' || this.drop === 'both') return;
      if (s === this.upstream && this.client) this.front.send(msg, this.client.port, this.client.address);
    });
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    this.upstream = s;
  }

  /** From now on the server sees the client at a new port. */
  async rebind(): Promise<number> {
    const old = this.upstream;
    await this.openUpstream();
    this.rebinds++;
    setTimeout(() => old.close(), 2000).unref();
    return this.upstream.address().port;
  }

  close(): void {
    this.front?.close();
    this.upstream?.close();
  }
}
