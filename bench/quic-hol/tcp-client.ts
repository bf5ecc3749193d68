// A minimal XMPP client over Direct TLS (XEP-0368) for the benchmark: SASL PLAIN, bind, raw
// writes with the socket's own back-pressure, incoming stanzas parsed by Parley's XML parser.
import { connect, type TLSSocket } from 'node:tls';
import { createStreamParser } from '../../src/xml/parser.ts';
import type { StreamParser } from '../../src/xml/stream-parser.ts';
import type { Element } from '../../src/xml/element.ts';

const LIMITS = { maxStanzaBytes: 1 << 20, maxDepth: 64, maxAttributes: 64, maxAttributeLength: 65536 };
const open = (d: string) => `<?xml version='1.0'?><stream:stream to="${d}" xmlns="jabber:client" xmlns:stream="http://etherx.jabber.org/streams" version="1.0">`;

export class TcpXmpp {
  jid = '';
  private parser!: StreamParser;
  private waiters: Array<{ pred: (el: Element) => boolean; resolve: (el: Element) => void }> = [];
  onStanza: (el: Element) => void = () => {};

  private constructor(readonly socket: TLSSocket, private readonly domain: string) {
    this.reset();
    socket.on('data', (b) => this.parser.write(b));
  }

  private reset(): void {
    this.parser = createStreamParser({ onStreamStart: () => {}, onStanza: (el) => this.dispatch(el), onStreamEnd: () => {}, onError: (e) => this.socket.destroy(e) }, LIMITS);
  }

  private dispatch(el: Element): void {
    const w = this.waiters.find((x) => x.pred(el));
    if (w) {
      this.waiters = this.waiters.filter((x) => x !== w);
      return w.resolve(el);
    }
    this.onStanza(el);
  }

  private next(pred: (el: Element) => boolean): Promise<Element> {
    return new Promise((resolve) => this.waiters.push({ pred, resolve }));
  }

  static async connect(o: { host: string; port: number; domain: string; username: string; password: string; resource: string; ca: string }): Promise<TcpXmpp> {
    const socket = connect({ host: o.host, port: o.port, servername: o.domain, ca: o.ca });
    await new Promise<void>((r, j) => socket.once('secureConnect', () => r()).once('error', j));
    socket.setNoDelay(true);
    const c = new TcpXmpp(socket, o.domain);
    socket.write(open(o.domain));
    await c.next((el) => el.name === 'stream:features');
    socket.write(`<auth xmlns="urn:ietf:params:xml:ns:xmpp-sasl" mechanism="PLAIN">${Buffer.from(`\0${o.username}\0${o.password}`).toString('base64')}</auth>`);
    const ok = await c.next((el) => el.name === 'success' || el.name === 'failure');
    if (ok.name !== 'success') throw new Error('auth failed');
    c.reset();
    socket.write(open(o.domain));
    await c.next((el) => el.name === 'stream:features');
    socket.write(`<iq type="set" id="b"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"><resource>${o.resource}</resource></bind></iq>`);
    const b = await c.next((el) => el.name === 'iq' && el.attrs.id === 'b');
    c.jid = b.getChild('bind')?.getChildText('jid') ?? '';
    return c;
  }

  write(text: string): boolean {
    return this.socket.write(text);
  }

  get bufferedBytes(): number {
    return this.socket.writableLength;
  }

  close(): void {
    this.socket.end('</stream:stream>');
  }
}
