// Lane 0 of a QuicXmppClient session carried by TCP instead of a QUIC stream, for resuming a
// quic-ack session over TCP (docs/quic.md §5.3, specs/quic.md §6) where UDP is blocked or QUIC
// broke. Direct TLS (XEP-0368) or STARTTLS (RFC 6120 §5); connect() returns once TLS is up, and
// the client then opens its XML stream and authenticates exactly as on a QUIC stream.
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { createStreamParser } from '../xml/parser.ts';
import type { StreamParser } from '../xml/stream-parser.ts';
import type { Element } from '../xml/element.ts';
import { LANE_LIMITS, laneParser, streamOpen, type LaneHandlers } from './xml-lane.ts';

const NS_TLS = 'urn:ietf:params:xml:ns:xmpp-tls';

export interface TcpLaneOptions {
  host: string;
  port: number;
  domain: string;
  ca?: string;
  /** 'direct-tls' (XEP-0368, default) or 'starttls' (plain TCP, then <starttls/>). */
  tls?: 'direct-tls' | 'starttls';
  timeoutMs?: number;
}

export class TcpLane {
  private parser!: StreamParser;
  private closed = false;

  private constructor(private readonly socket: TLSSocket, private readonly handlers: LaneHandlers) {
    socket.setNoDelay(true);
    this.resetParser();
    socket.on('data', (b: Buffer) => this.parser.write(b));
    socket.on('close', () => this.finish('TCP connection closed'));
    socket.on('error', (e) => this.finish(`TCP error: ${e.message}`));
  }

  static async connect(o: TcpLaneOptions, handlers: LaneHandlers): Promise<TcpLane> {
    const tls = { host: o.host, port: o.port, servername: o.domain, ca: o.ca };
    let secure: TLSSocket;
    if (o.tls === 'starttls') {
      const plain = tcpConnect({ host: o.host, port: o.port });
      await once(plain, 'connect', o.timeoutMs);
      await startTls(plain, o.domain, o.timeoutMs);
      secure = tlsConnect({ ...tls, socket: plain });
    } else secure = tlsConnect(tls);
    await once(secure, 'secureConnect', o.timeoutMs);
    return new TcpLane(secure, handlers);
  }

  /** After SASL success both sides start a new XML stream (RFC 6120 §6.4.6). */
  resetParser(): void {
    this.parser = laneParser(this.handlers, (reason) => this.finish(reason));
  }

  get bufferedBytes(): number {
    return this.socket.writableLength;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  write(data: string): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.socket.write(data, () => resolve()));
  }

  close(): void {
    if (this.closed) return;
    this.socket.end('</stream:stream>');
  }

  /** Drop the TCP connection without closing the XML stream (the server keeps the session). */
  destroy(): void {
    this.socket.destroy();
    this.finish('destroyed');
  }

  private finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.handlers.onClose(reason);
  }
}

function once(s: Socket, event: string, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => (s.destroy(), reject(new Error(`timed out waiting for ${event}`))), timeoutMs);
    s.once(event, () => (clearTimeout(t), resolve()));
    s.once('error', (e) => (clearTimeout(t), reject(e)));
  });
}

// RFC 6120 §5.4: header, features with <starttls/>, <starttls/>, <proceed/>; then TLS on the socket.
async function startTls(plain: Socket, domain: string, timeoutMs = 10_000): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timed out negotiating STARTTLS')), timeoutMs);
    const done = (err?: Error) => (clearTimeout(t), plain.removeListener('data', onData), err ? reject(err) : resolve());
    const parser = createStreamParser(
      {
        onStreamStart: () => {},
        onStanza: (el: Element) => {
          if (el.name === 'stream:features' || el.name === 'features') {
            if (!el.getChild('starttls', NS_TLS)) return done(new Error('server offers no STARTTLS'));
            plain.write(`<starttls xmlns="${NS_TLS}"/>`);
          } else if (el.name === 'proceed') done();
          else done(new Error(`STARTTLS refused: ${el.toString()}`));
        },
        onStreamEnd: () => done(new Error('stream closed during STARTTLS')),
        onError: (e) => done(new Error(e.message)),
      },
      LANE_LIMITS,
    );
    const onData = (b: Buffer) => parser.write(b);
    plain.on('data', onData);
    plain.write(streamOpen(domain));
  });
}
