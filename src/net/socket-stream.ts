// A net.Socket seen as a plain Duplex, for wrapping in TLS with less memory per connection.
//
// new TLSSocket(netSocket) lets OpenSSL read straight from the socket's libuv handle; libuv asks
// for a 64 KiB buffer on every read and Node's TLS layer keeps that buffer (its NodeBIO) for the
// life of the connection, most of it resident: ~40 KiB of RSS per idle TLS connection. Given a
// Duplex without a native handle, Node's TLSSocket goes through its JSStreamSocket instead, and
// the TLS input buffer is sized to what arrived (a few KiB). Measured here (docs/performance.md):
// ~20 KiB less RSS per idle TLS connection, for ~0.2 ms more CPU per handshake and ~10 µs more
// per read + write. Used for server-side TLS when TlsOptions.lowMemory is set (c2s.tls_low_memory).
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

export class SocketStream extends Duplex {
  constructor(private readonly socket: Socket) {
    // Half-open: the TLS layer ends our writable side itself (close_notify first).
    super({ allowHalfOpen: true });
    socket.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('error', (err) => this.destroy(err));
    socket.on('close', () => this.destroy());
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.socket.write(chunk, cb);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, cb: (err?: Error | null) => void): void {
    this.socket.cork();
    for (let i = 0; i < chunks.length - 1; i++) this.socket.write(chunks[i].chunk);
    this.socket.write(chunks[chunks.length - 1].chunk, cb);
    this.socket.uncork();
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.socket.end(cb);
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.socket.destroy();
    cb(err);
  }
}
