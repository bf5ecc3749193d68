// TCP transport with STARTTLS upgrade, and the Direct TLS variant (XEP-0368).
import { randomBytes } from 'node:crypto';
import { channelBinding, channelBindingTypes } from './channel-binding.ts';
import type { Socket } from 'node:net';
import { TLSSocket, connect as tlsConnect, type DetailedPeerCertificate, type PeerCertificate, type SecureContext } from 'node:tls';
import type { ChannelBindingType } from '../sasl/index.ts';
import type { Transport } from './transport.ts';

export interface TlsOptions {
  secureContext: SecureContext;
  SNICallback?: (servername: string, cb: (err: Error | null, ctx?: SecureContext) => void) => void;
  minVersion: 'TLSv1.2' | 'TLSv1.3';
  handshakeTimeoutMs?: number;
  /** 'client' for connections we initiate (s2s outbound); default 'server'. */
  role?: 'server' | 'client';
  /** SNI name to send as a client (the remote domain, ASCII form). */
  servername?: string;
  /** Ask the peer for a certificate (s2s inbound, for SASL EXTERNAL); never rejects by itself. */
  requestCert?: boolean;
  /**
   * Checks a peer chain against our trust anchors; used on the server side, where Node leaves
   * `authorized` unset for TLSSockets that tls.Server did not create.
   */
  verifyPeer?: (cert: DetailedPeerCertificate) => boolean;
  /**
   * Server side: wrap the socket in TLS only once the client's first TLS bytes are buffered
   * (see wrapWhenBuffered): less memory per idle connection, no other cost.
   */
  lowMemory?: boolean;
}

/** What the peer's TLS certificate proved, for SASL EXTERNAL and dialback decisions. */
export interface PeerCertInfo {
  /** Chains to a trusted CA (system store or configured CA file). */
  authorized: boolean;
  authError?: string;
  cert: PeerCertificate | null;
}

export class TcpTransport implements Transport {
  readonly id = randomBytes(6).toString('hex');
  readonly framing = 'stream' as const;
  private socket: Socket | TLSSocket;
  private dataCb: (chunk: Buffer) => void = () => {};
  private closeCbs: Array<(reason: string) => void> = [];
  private closed = false;
  /** Writes of this tick, sent together on the next one (see write()). */
  private pending: string[] = [];
  private pendingChars = 0;
  private readonly flush = (): void => {
    if (this.pending.length === 0) return;
    const data = this.pending.length === 1 ? this.pending[0] : this.pending.join('');
    this.pending = [];
    this.pendingChars = 0;
    if (!this.closed && !this.socket.destroyed) this.socket.write(data);
  };

  constructor(socket: Socket, readonly listener: string, private readonly tls: TlsOptions | null, directTls = false) {
    this.socket = socket;
    this.remoteAddress = socket.remoteAddress ?? 'unknown';
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    if (directTls && tls?.lowMemory) {
      this.wrapWhenBuffered(socket, (secure) => {
        if (!secure) return this.finish('closed by peer');
        this.socket = secure;
        this.attach(secure);
      });
      return;
    }
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
    if (t.role === 'client') {
      // Certificates are checked by the caller (peerCertificate + RFC 6125 identity), so that an
      // invalid one can fall back to dialback instead of failing the connection.
      return tlsConnect({ socket, servername: t.servername, secureContext: t.secureContext, minVersion: t.minVersion, rejectUnauthorized: false });
    }
    return new TLSSocket(socket, {
      isServer: true,
      secureContext: t.secureContext,
      SNICallback: t.SNICallback,
      minVersion: t.minVersion,
      requestCert: t.requestCert ?? false,
      rejectUnauthorized: false,
    } as ConstructorParameters<typeof TLSSocket>[1]);
  }

  /**
   * Wrap in TLS once the client's first bytes (its ClientHello) sit in the socket's read buffer.
   * Node hands buffered bytes to OpenSSL through an input buffer sized to them (1 KiB or the
   * ClientHello), which later small records reuse. Wrapping a socket with nothing buffered makes
   * the first read from libuv allocate a 64 KiB input buffer that the connection keeps for its
   * life, much of it resident (6-11 KiB of RSS per idle client here, 24 KiB in a bare Node TLS
   * server; docs/performance.md).
   * Calls back with null if the peer went away first.
   */
  private wrapWhenBuffered(plain: Socket, done: (s: TLSSocket | null) => void): void {
    plain.on('error', () => {}); // 'close' follows
    if (plain.readableLength > 0) return done(this.wrapTls(plain));
    const onReadable = () => {
      cleanup();
      if (plain.readableLength > 0) return done(this.wrapTls(plain));
      plain.destroy(); // end of stream before any byte of TLS
      done(null);
    };
    const onClose = () => {
      cleanup();
      done(null);
    };
    const cleanup = () => {
      plain.off('readable', onReadable);
      plain.off('close', onClose);
    };
    plain.pause();
    plain.on('readable', onReadable);
    plain.once('close', onClose);
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

  /**
   * Writes made in one tick (stream header + features, a burst of stanzas for this client) leave
   * together on the next tick: one TLS record and one syscall instead of one each. The return
   * value and bufferedBytes() count what waits here too, so back-pressure sees it.
   */
  write(data: string): boolean {
    const s = this.socket;
    if (this.closed || s.destroyed) return true;
    if (this.pending.length === 0) process.nextTick(this.flush);
    this.pending.push(data);
    this.pendingChars += data.length;
    return s.writableLength + this.pendingChars < s.writableHighWaterMark;
  }
  bufferedBytes(): number {
    return this.socket.writableLength + this.pendingChars;
  }

  startTls(): Promise<void> {
    // <proceed/> (RFC 6120 §5.4.2.3) must leave in plain text before the TLS layer takes the socket.
    this.flush();
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('error');
    plain.removeAllListeners('close');
    plain.removeAllListeners('end');
    plain.on('error', () => {});
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('TLS handshake timeout')), this.tls?.handshakeTimeoutMs ?? 30_000);
      const start = (tlsSocket: TLSSocket | null) => {
        if (!tlsSocket) {
          clearTimeout(timer);
          return reject(new Error('connection closed before the TLS handshake'));
        }
        this.socket = tlsSocket;
        this.attach(tlsSocket);
        // Each listener removes the other: a leftover one would keep the timer and closures for
        // the life of the connection.
        const onSecure = () => {
          clearTimeout(timer);
          tlsSocket.off('error', onError);
          resolve();
        };
        const onError = (e: Error) => {
          clearTimeout(timer);
          tlsSocket.off('secure', onSecure);
          reject(e);
        };
        tlsSocket.once('secure', onSecure);
        tlsSocket.once('error', onError);
      };
      if (this.tls?.lowMemory && this.tls.role !== 'client') this.wrapWhenBuffered(plain, start);
      else start(this.wrapTls(plain));
    });
  }

  peerCertificate(): PeerCertInfo {
    const s = this.socket;
    if (!(s instanceof TLSSocket)) return { authorized: false, authError: 'no TLS', cert: null };
    const cert = s.getPeerCertificate(true);
    const present = cert && Object.keys(cert).length > 0;
    if (!present) return { authorized: false, authError: 'no certificate', cert: null };
    if (this.tls?.role !== 'client' && this.tls?.verifyPeer) {
      const ok = this.tls.verifyPeer(cert);
      return { authorized: ok, authError: ok ? undefined : 'chain not trusted', cert };
    }
    return { authorized: s.authorized, authError: s.authorizationError ? String(s.authorizationError) : undefined, cert };
  }

  channelBindingTypes(): ChannelBindingType[] {
    return this.socket instanceof TLSSocket ? channelBindingTypes(this.socket) : [];
  }

  channelBinding(type: ChannelBindingType): Buffer | null {
    return this.socket instanceof TLSSocket ? channelBinding(this.socket, type) : null;
  }

  pauseReading(): void {
    if (!this.closed) this.socket.pause();
  }

  resumeReading(): void {
    if (!this.closed) this.socket.resume();
  }

  /** Stop reading from the socket for a while (rate limiting): TCP back-pressure reaches the peer. */
  pauseFor(ms: number): void {
    if (this.closed || this.socket.isPaused()) return;
    this.socket.pause();
    setTimeout(() => {
      if (!this.closed) this.socket.resume();
    }, ms).unref();
  }

  onData(cb: (chunk: Buffer) => void): void {
    this.dataCb = cb;
  }
  onClose(cb: (reason: string) => void): void {
    this.closeCbs.push(cb);
  }
  end(): void {
    if (this.closed) return;
    this.flush();
    this.socket.end();
    // Give the peer a moment to close its side, then make sure the socket goes.
    setTimeout(() => this.finish('closed by server'), 2000).unref();
  }
  destroy(): void {
    this.flush(); // a stream error written just before still gets its chance, as with a direct write
    this.finish('destroyed by server');
  }
}
