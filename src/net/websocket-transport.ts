// XMPP over WebSocket (RFC 7395): one XML element per text frame, `xmpp` subprotocol,
// served on the HTTP(S) ports at /xmpp-websocket.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ChannelBindingType } from '../sasl/index.ts';
import { channelBinding, channelBindingTypes } from './channel-binding.ts';
import type { Transport } from './transport.ts';

/** Loopback peers are treated as secure: that is where a TLS-terminating reverse proxy sits. */
export function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

export class WebSocketTransport implements Transport {
  readonly id = randomBytes(6).toString('hex');
  readonly framing = 'websocket' as const;
  readonly canStartTls = false;
  readonly listener = 'websocket';
  readonly remoteAddress: string;
  readonly secure: boolean;
  private tls: TLSSocket | null;
  private closeCbs: Array<(reason: string) => void> = [];
  private closed = false;

  constructor(private readonly ws: WebSocket, req: IncomingMessage) {
    this.remoteAddress = req.socket.remoteAddress ?? 'unknown';
    this.tls = req.socket instanceof TLSSocket ? req.socket : null;
    this.secure = this.tls !== null || isLoopback(this.remoteAddress);
    ws.on('close', () => this.finish('closed by peer'));
    ws.on('error', (e) => this.finish(`websocket error: ${e.message}`));
  }

  private finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const cb of this.closeCbs) cb(reason);
    this.ws.terminate();
  }

  write(data: string): boolean {
    if (this.closed || data.trim() === '') return true;
    this.ws.send(data);
    return this.ws.bufferedAmount < 64 * 1024;
  }
  bufferedBytes(): number {
    return this.ws.bufferedAmount;
  }
  startTls(): Promise<void> {
    return Promise.reject(new Error('STARTTLS is not available over WebSocket'));
  }
  channelBindingTypes(): ChannelBindingType[] {
    return this.tls ? channelBindingTypes(this.tls) : [];
  }
  channelBinding(type: ChannelBindingType): Buffer | null {
    return this.tls ? channelBinding(this.tls, type) : null;
  }
  pauseReading(): void {
    if (!this.closed) this.ws.pause();
  }
  resumeReading(): void {
    if (!this.closed) this.ws.resume();
  }
  onData(cb: (chunk: Buffer | string) => void): void {
    this.ws.on('message', (data, isBinary) => {
      if (isBinary) return this.finish('binary frame');
      cb(Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer));
    });
  }
  onClose(cb: (reason: string) => void): void {
    this.closeCbs.push(cb);
  }
  end(): void {
    if (this.closed) return;
    this.ws.close(1000);
    setTimeout(() => this.finish('closed by server'), 2000).unref();
  }
  destroy(): void {
    this.finish('destroyed by server');
  }
}

/** Upgrade handler for /xmpp-websocket: only the `xmpp` subprotocol is accepted (RFC 7395 §3.1). */
export function websocketUpgrade(maxFrameBytes: number, onTransport: (t: Transport) => void) {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: maxFrameBytes,
    handleProtocols: (protocols) => (protocols.has('xmpp') ? 'xmpp' : false),
  });
  return (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
    if (!offered.includes('xmpp')) {
      socket.end('HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n\r\nThe xmpp WebSocket subprotocol is required (RFC 7395)\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onTransport(new WebSocketTransport(ws, req)));
  };
}
