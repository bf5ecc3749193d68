// One client connection of the load client: raw TCP, STARTTLS (RFC 6120 §5), SASL SCRAM-SHA-1
// (§6), resource binding (§7), then stanzas as strings. Written directly on node:net/node:tls so
// thousands of connections cost the client little next to the server being measured.
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { ScramSha1 } from './scram.ts';
import { StanzaSplitter } from './splitter.ts';
import { childText, elementName, topAttr } from './xml-text.ts';

export interface Target {
  /** Peer name, part of the SCRAM key cache scope. */
  name: string;
  host: string;
  port: number;
  domain: string;
  /** PEM the server certificate is checked against. */
  ca: string;
}

export interface LoginOptions {
  username: string;
  password: string;
  resource?: string;
  /** Source address (127.0.0.x) so many connections are not capped by one address's ports. */
  localAddress?: string;
  /** Send initial presence after bind (RFC 6121 §4.2), making the session available. */
  presence?: boolean;
  timeoutMs?: number;
}

interface Waiter {
  test: (xml: string) => boolean;
  resolve: (xml: string) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

const STREAM_HEADER = (domain: string) => `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='${domain}' version='1.0'>`;
const SASL = 'urn:ietf:params:xml:ns:xmpp-sasl';

export class XmppConnection {
  /** Stanzas no waiter took. Scenarios set this. */
  onStanza: (xml: string) => void = () => {};
  jid = '';
  tlsProtocol = '';
  tlsCipher = '';
  closed = false;
  private socket: Socket | TLSSocket;
  private readonly splitter: StanzaSplitter;
  private waiters: Waiter[] = [];
  private nextId = 0;
  private readonly closedPromise: Promise<void>;
  private resolveClosed!: () => void;

  private constructor(socket: Socket, private readonly target: Target) {
    this.socket = socket;
    this.closedPromise = new Promise((r) => (this.resolveClosed = r));
    this.splitter = new StanzaSplitter({
      onStreamOpen: () => {},
      onElement: (xml) => this.dispatch(xml),
      onStreamClose: () => this.socket.end(),
    });
    this.listen(socket);
  }

  private listen(s: Socket | TLSSocket): void {
    s.setEncoding('utf8');
    s.on('data', this.onData);
    s.on('error', this.onError);
    s.on('close', this.onClose);
  }

  private readonly onData = (chunk: string) => this.splitter.push(chunk);
  private readonly onError = (e: Error) => this.failAll(e);
  private readonly onClose = () => {
    this.closed = true;
    this.failAll(new Error(`connection to ${this.target.name} closed`));
    this.resolveClosed();
  };

  private failAll(e: Error): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) {
      clearTimeout(w.timer);
      w.reject(e);
    }
  }

  private dispatch(xml: string): void {
    for (let i = 0; i < this.waiters.length; i++) {
      const w = this.waiters[i];
      if (w.test(xml)) {
        this.waiters.splice(i, 1);
        clearTimeout(w.timer);
        w.resolve(xml);
        return;
      }
    }
    this.onStanza(xml);
  }

  static async connect(target: Target, localAddress?: string, timeoutMs = 30_000): Promise<XmppConnection> {
    const socket = tcpConnect({ host: target.host, port: target.port, localAddress, noDelay: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`TCP connect to ${target.name} timed out`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    return new XmppConnection(socket, target);
  }

  /** Connect and log in; the returned connection is bound (and available if `presence`). */
  static async login(target: Target, o: LoginOptions): Promise<XmppConnection> {
    const timeoutMs = o.timeoutMs ?? 30_000;
    const conn = await XmppConnection.connect(target, o.localAddress, timeoutMs);
    try {
      await conn.negotiate(o, timeoutMs);
      return conn;
    } catch (e) {
      conn.destroy();
      throw e;
    }
  }

  private async negotiate(o: LoginOptions, timeoutMs: number): Promise<void> {
    const features = () => this.waitFor((x) => x.startsWith('<stream:features') || x.startsWith('<features'), timeoutMs);
    this.send(STREAM_HEADER(this.target.domain));
    const f1 = await features();
    if (!f1.includes('<starttls')) throw new Error(`${this.target.name} offers no STARTTLS: ${f1}`);
    this.send(`<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>`);
    const proceed = await this.waitFor((x) => x.startsWith('<proceed') || x.startsWith('<failure'), timeoutMs);
    if (!proceed.startsWith('<proceed')) throw new Error(`STARTTLS refused: ${proceed}`);
    await this.upgrade(timeoutMs);

    this.send(STREAM_HEADER(this.target.domain));
    const f2 = await features();
    if (!f2.includes('>SCRAM-SHA-1<')) throw new Error(`${this.target.name} offers no SCRAM-SHA-1: ${f2}`);
    const scram = new ScramSha1(this.target.name, o.username, o.password);
    this.send(`<auth xmlns='${SASL}' mechanism='SCRAM-SHA-1'>${scram.first()}</auth>`);
    const saslReply = (x: string) => x.startsWith('<challenge') || x.startsWith('<success') || x.startsWith('<failure');
    const challenge = await this.waitFor(saslReply, timeoutMs);
    if (!challenge.startsWith('<challenge')) throw new Error(`SASL failed for ${o.username}: ${challenge}`);
    this.send(`<response xmlns='${SASL}'>${await scram.final(childText(challenge, 'challenge') ?? '')}</response>`);
    const success = await this.waitFor(saslReply, timeoutMs);
    if (!success.startsWith('<success')) throw new Error(`SASL failed for ${o.username}: ${success}`);
    scram.verify(childText(success, 'success') ?? '');

    this.splitter.reset();
    this.send(STREAM_HEADER(this.target.domain));
    await features();
    const bind = await this.request(`<iq type='set' id='bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>${o.resource ?? 'bench'}</resource></bind></iq>`, 'bind', timeoutMs);
    if (topAttr(bind, 'type') !== 'result') throw new Error(`bind failed: ${bind}`);
    this.jid = childText(bind, 'jid') ?? '';
    if (o.presence) this.send('<presence/>');
  }

  private upgrade(timeoutMs: number): Promise<void> {
    const plain = this.socket as Socket;
    plain.off('data', this.onData);
    plain.off('error', this.onError);
    plain.off('close', this.onClose);
    this.splitter.reset();
    const secure = tlsConnect({ socket: plain, servername: this.target.domain, ca: this.target.ca });
    this.socket = secure;
    this.listen(secure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`TLS handshake with ${this.target.name} timed out`)), timeoutMs);
      secure.once('secureConnect', () => {
        clearTimeout(timer);
        this.tlsProtocol = secure.getProtocol() ?? '';
        this.tlsCipher = secure.getCipher()?.name ?? '';
        resolve();
      });
      secure.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  send(xml: string): boolean {
    return this.socket.write(xml);
  }

  /** Wait until the socket has drained its write buffer (back-pressure for bulk senders). */
  drained(): Promise<void> {
    return this.socket.writableNeedDrain ? new Promise((r) => this.socket.once('drain', () => r())) : Promise.resolve();
  }

  id(prefix = 'b'): string {
    return `${prefix}${++this.nextId}`;
  }

  waitFor(test: (xml: string) => boolean, timeoutMs = 30_000): Promise<string> {
    if (this.closed) return Promise.reject(new Error(`connection to ${this.target.name} is closed`));
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        test,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((x) => x !== w);
          reject(new Error(`no matching stanza from ${this.target.name} within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.waiters.push(w);
    });
  }

  /** Send an iq (or anything answered by an element with the same id) and wait for the answer. */
  request(xml: string, id: string, timeoutMs = 30_000): Promise<string> {
    const answer = this.waitFor((x) => topAttr(x, 'id') === id && elementName(x) === 'iq', timeoutMs);
    this.send(xml);
    return answer;
  }

  /** Close the stream politely (RFC 6120 §4.4); destroy if the server does not close within timeoutMs. */
  async close(timeoutMs = 5000): Promise<void> {
    if (this.closed) return;
    try {
      this.socket.end('</stream:stream>');
    } catch {
      /* already gone */
    }
    const timer = setTimeout(() => this.destroy(), timeoutMs);
    await this.closedPromise;
    clearTimeout(timer);
  }

  destroy(): void {
    this.socket.destroy();
  }

  whenClosed(): Promise<void> {
    return this.closedPromise;
  }
}
