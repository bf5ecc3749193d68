// A hand-driven client stream over TCP/TLS, for what a real client library would never send:
// open the stream, STARTTLS, authenticate with PLAIN, bind, then write arbitrary bytes and
// collect everything the server sends until it closes the connection.
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { readFileSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { testCert } from './server.ts';

export interface RawOptions {
  port: number;
  host?: string;
  domain: string;
  /** XEP-0368: TLS from the first byte instead of STARTTLS. */
  directTls?: boolean;
  /** PEM of the CA that signed the server certificate (default: the test certificate). */
  ca?: string | Buffer;
  /** Source address to connect from (another loopback address, e.g. 127.0.0.2, plays a second network); plain TCP only. */
  localAddress?: string;
}

export const NS_STREAMS = 'urn:ietf:params:xml:ns:xmpp-streams';

export function streamHeader(domain: string): string {
  return `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='${domain}' version='1.0'>`;
}

/** The defined condition inside <stream:error>, or null when the text holds none. */
export function streamErrorCondition(text: string): string | null {
  const m = /<(?:stream:)?error[\s>][\s\S]*?<([a-z-]+)[^>]*xmlns=["']urn:ietf:params:xml:ns:xmpp-streams["']/.exec(text);
  return m ? m[1] : null;
}

export class RawXmpp {
  private socket: Socket | TLSSocket;
  private decoder = new StringDecoder('utf8');
  private wake = new Set<() => void>();
  /** Everything received, decoded as UTF-8. */
  text = '';
  /** Where the next waitFor starts searching. */
  private mark = 0;
  closed = false;
  socketErrors: Error[] = [];
  private closedPromise: Promise<void>;
  private resolveClosed!: () => void;

  private constructor(socket: Socket | TLSSocket, private readonly opts: RawOptions) {
    this.socket = socket;
    this.closedPromise = new Promise((r) => (this.resolveClosed = r));
    this.attach(socket);
  }

  static async connect(opts: RawOptions): Promise<RawXmpp> {
    const host = opts.host ?? '127.0.0.1';
    const socket = opts.directTls
      ? tlsConnect({ host, port: opts.port, servername: opts.domain, ca: opts.ca ?? readFileSync(testCert) })
      : tcpConnect({ host, port: opts.port, localAddress: opts.localAddress });
    await new Promise<void>((resolve, reject) => {
      socket.once(opts.directTls ? 'secureConnect' : 'connect', () => resolve());
      socket.once('error', reject);
    });
    return new RawXmpp(socket, opts);
  }

  /** Connect, STARTTLS unless Direct TLS, and authenticate with PLAIN; stops before bind unless bind = true. */
  static async login(opts: RawOptions & { username: string; password: string; bind?: boolean; resource?: string }): Promise<RawXmpp> {
    const raw = await RawXmpp.connect(opts);
    try {
      await raw.openStream();
      if (!opts.directTls) await raw.startTls();
      await raw.authPlain(opts.username, opts.password);
      if (opts.bind) await raw.bind(opts.resource);
      return raw;
    } catch (e) {
      raw.destroy();
      throw e;
    }
  }

  private attach(s: Socket | TLSSocket): void {
    s.on('data', (chunk: Buffer) => {
      this.text += this.decoder.write(chunk);
      for (const w of this.wake) w();
    });
    s.on('error', (e: Error) => this.socketErrors.push(e));
    s.on('close', () => {
      this.closed = true;
      this.text += this.decoder.end();
      for (const w of this.wake) w();
      this.resolveClosed();
    });
  }

  /** The TLS socket once TLS is up (for channel binding), else null. */
  get tls(): TLSSocket | null {
    return 'getPeerCertificate' in this.socket ? (this.socket as TLSSocket) : null;
  }

  /** Text received after the last waitFor match (or everything, with fromStart). */
  unread(fromStart = false): string {
    return this.text.slice(fromStart ? 0 : this.mark);
  }

  /** Wait until what arrived after the last match contains re; moves the mark past the match. */
  waitFor(re: RegExp | string, timeoutMs = 10_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const rest = this.text.slice(this.mark);
        const m = typeof re === 'string' ? (rest.includes(re) ? { index: rest.indexOf(re), 0: re } : null) : re.exec(rest);
        if (m) {
          done();
          this.mark += m.index + m[0].length;
          resolve(rest.slice(0, m.index + m[0].length));
        } else if (this.closed) {
          done();
          reject(new Error(`connection closed before ${re} arrived; received after the last match:\n${rest.slice(-4000)}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${re} did not arrive within ${timeoutMs} ms; received after the last match:\n${this.text.slice(this.mark).slice(-4000)}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.wake.delete(check);
      };
      this.wake.add(check);
      check();
    });
  }

  write(data: string | Buffer): void {
    if (!this.closed && !this.socket.destroyed && this.socket.writable) this.socket.write(data);
  }

  /** Write a large payload in chunks, honouring back-pressure; stops early when the server closes. */
  async writeAll(data: Buffer | string, chunkBytes = 64 * 1024): Promise<number> {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let sent = 0;
    while (sent < buf.length && !this.closed && !this.socket.destroyed && this.socket.writable) {
      const ok = this.socket.write(buf.subarray(sent, sent + chunkBytes));
      sent += Math.min(chunkBytes, buf.length - sent);
      if (!ok) {
        await new Promise<void>((resolve) => {
          const go = () => {
            this.socket.off('drain', go);
            this.socket.off('close', go);
            resolve();
          };
          this.socket.once('drain', go);
          this.socket.once('close', go);
        });
      }
    }
    return sent;
  }

  /** Send the stream header and wait for the server's features. */
  async openStream(): Promise<string> {
    this.write(streamHeader(this.opts.domain));
    return this.waitFor(/<\/stream:features>|<stream:features[^>]*\/>/);
  }

  /** RFC 6120 §5.4: <starttls/>, <proceed/>, TLS handshake, then (unless restart = false) the new stream. */
  async startTls(restart = true): Promise<string> {
    this.write(`<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>`);
    await this.waitFor(/<proceed[^>]*\/>/);
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    const secure = tlsConnect({ socket: plain, servername: this.opts.domain, ca: this.opts.ca ?? readFileSync(testCert) });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    });
    this.socket = secure;
    this.decoder = new StringDecoder('utf8');
    this.attach(secure);
    this.mark = this.text.length;
    return restart ? this.openStream() : '';
  }

  /** RFC 6120 §6 with PLAIN (RFC 4616), then the stream restart. */
  async authPlain(username: string, password: string): Promise<void> {
    const token = Buffer.from(`\0${username}\0${password}`, 'utf8').toString('base64');
    this.write(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${token}</auth>`);
    const reply = await this.waitFor(/<success[^>]*(\/>|<\/success>)|<failure[\s\S]*?<\/failure>/);
    if (!/<success/.test(reply)) throw new Error(`PLAIN login of ${username} failed: ${reply}`);
    await this.openStream();
  }

  /** RFC 6120 §7: bind a resource; returns the full JID the server assigned. */
  async bind(resource?: string): Promise<string> {
    const res = resource ? `<resource>${resource}</resource>` : '';
    this.write(`<iq type='set' id='bind1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>${res}</bind></iq>`);
    const reply = await this.waitFor(/<iq[^>]*id=["']bind1["'][\s\S]*?<\/iq>/);
    const jid = /<jid>([^<]+)<\/jid>/.exec(reply);
    if (!jid) throw new Error(`bind failed: ${reply}`);
    return jid[1];
  }

  /** Stop reading from the socket: the kernel buffers fill and the server's writes back up. */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** Resolves with everything received once the server has closed the connection. */
  async waitClosed(timeoutMs = 10_000): Promise<string> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`server did not close the connection within ${timeoutMs} ms; received:\n${this.text.slice(-4000)}`)), timeoutMs);
    });
    try {
      await Promise.race([this.closedPromise, timeout]);
    } finally {
      clearTimeout(timer);
    }
    return this.text;
  }

  /** Close our side politely: </stream:stream>, then end the socket. */
  end(): void {
    this.write('</stream:stream>');
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }
}
