// TCP transport with STARTTLS upgrade, and the Direct TLS variant (XEP-0368).
import { randomBytes } from 'node:crypto';
import { channelBinding, channelBindingTypes } from './channel-binding.ts';
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import type { ChannelBindingType } from '../sasl/index.ts';
import type { Transport } from './transport.ts';

export interface TlsOptions {
  secureContext: SecureContext;
  SNICallback?: (servername: string, cb: (err: Error | null, ctx?: SecureContext) => void) => void;
  minVersion: 'TLSv1.2' | 'TLSv1.3';
  handshakeTimeoutMs?: number;
}

export class TcpTransport implements Transport {
  readonly id = randomBytes(6).toString('hex');
  readonly framing = 'stream' as const;
  private socket: Socket | TLSSocket;
  private dataCb: (chunk: Buffer) => void = () => {};
  private closeCbs: Array<(reason: string) => void> = [];
  private closed = false;

  constructor(socket: Socket, readonly listener: string, private readonly tls: TlsOptions | null, directTls = false) {
    this.socket = socket;
    this.remoteAddress = socket.remoteAddress ?? 'unknown';
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    if (directTls && tls) this.socket = this.wrapTls(socket);
    this.attach(this.socket);
  }
  readonly remoteAddress: string;

  get secure(): boolean {
    return this.socket instanceof TLSSocket;
  }
  get canStartTls(): boolean {
    return !this.secure && this.tls !== null;
  }

  private wrapTls(socket: Socket): TLSSocket {
    const t = this.tls!;
    const tlsSocket = new TLSSocket(socket, { isServer: true, secureContext: t.secureContext, SNICallback: t.SNICallback, minVersion: t.minVersion } as ConstructorParameters<typeof TLSSocket>[1]);
    return tlsSocket;
  }

  private attach(s: Socket): void {
    s.on('data', (chunk: Buffer) => this.dataCb(chunk));
    s.on('error', (err: Error) => this.finish(`socket error: ${err.message}`));
    s.on('close', () => this.finish('closed by peer'));
    s.on('end', () => s.end());
  }

  private finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const cb of this.closeCbs) cb(reason);
    this.socket.destroy();
  }

  write(data: string): boolean {
    if (this.closed || this.socket.destroyed) return true;
    return this.socket.write(data);
  }
  bufferedBytes(): number {
    return this.socket.writableLength;
  }

  startTls(): Promise<void> {
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('error');
    plain.removeAllListeners('close');
    plain.removeAllListeners('end');
    plain.on('error', () => {});
    const tlsSocket = this.wrapTls(plain);
    this.socket = tlsSocket;
    this.attach(tlsSocket);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('TLS handshake timeout')), this.tls?.handshakeTimeoutMs ?? 30_000);
      tlsSocket.once('secure', () => {
        clearTimeout(timer);
        resolve();
      });
      tlsSocket.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  channelBindingTypes(): ChannelBindingType[] {
    return this.socket instanceof TLSSocket ? channelBindingTypes(this.socket) : [];
  }

  channelBinding(type: ChannelBindingType): Buffer | null {
    return this.socket instanceof TLSSocket ? channelBinding(this.socket, type) : null;
  }

  onData(cb: (chunk: Buffer) => void): void {
    this.dataCb = cb;
  }
  onClose(cb: (reason: string) => void): void {
    this.closeCbs.push(cb);
  }
  end(): void {
    if (this.closed) return;
    this.socket.end();
    // Give the peer a moment to close its side, then make sure the socket goes.
    setTimeout(() => this.finish('closed by server'), 2000).unref();
  }
  destroy(): void {
    this.finish('destroyed by server');
  }
}
