// XEP-0114: an external component connects with its shared secret, receives a message
// addressed to its domain and replies; a wrong secret is refused.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { createHash } from 'node:crypto';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { freePorts } from '../helpers/ports.ts';
import { connectSide, closeAll } from '../helpers/federation.ts';
import { expectStanza, send, type Client } from '../helpers/xmppjs.ts';

/** A minimal component written by hand from XEP-0114 §3, independent of Parley's code. */
class RawComponent {
  private buf = '';
  private waiters: Array<() => void> = [];
  constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.buf += d;
      for (const w of this.waiters.splice(0)) w();
    });
  }
  static async open(port: number): Promise<RawComponent> {
    const s = connect({ port, host: '127.0.0.1' });
    await new Promise<void>((r, j) => s.once('connect', r).once('error', j));
    return new RawComponent(s);
  }
  write(s: string): void {
    this.socket.write(s);
  }
  /** Wait until the received text matches re; returns the match. */
  async waitFor(re: RegExp, timeoutMs = 5000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.buf.match(re);
      if (m) return m;
      if (Date.now() > deadline) throw new Error(`component did not receive ${re} within ${timeoutMs} ms; got: ${this.buf.slice(-2000)}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }
}

describe('external components (XEP-0114)', () => {
  let s: RunningServer;
  let port: number;
  let alice: Client | undefined;

  before(async () => {
    [port] = await freePorts(1);
    s = await startServer({ config: { components: { port, interfaces: ['127.0.0.1'], secrets: { 'bot.localhost': 's3cret' } } } });
    await s.adduser('alice', 'pw');
    alice = await connectSide({ domain: s.domain, port: s.ports.c2s, user: 'alice', password: 'pw' });
  });

  after(async () => {
    await closeAll(alice);
    await s?.stop();
  });

  test('handshake, receive a message for the component domain, reply', async () => {
    const c = await RawComponent.open(port);
    c.write("<stream:stream xmlns='jabber:component:accept' xmlns:stream='http://etherx.jabber.org/streams' to='bot.localhost'>");
    const [, id] = await c.waitFor(/<stream:stream[^>]*\sid=["']([^"']+)["']/);
    c.write(`<handshake>${createHash('sha1').update(id + 's3cret').digest('hex')}</handshake>`);
    await c.waitFor(/<handshake\s*\/>|<handshake><\/handshake>/);
    await send(alice!, '<message to="echo@bot.localhost" type="chat" id="c1"><body>ping bot</body></message>');
    const [msg] = await c.waitFor(/<message[^>]*>.*?<\/message>/s);
    assert.match(msg, /from=["']alice@localhost\/[^"']+["']/);
    assert.match(msg, /<body>ping bot<\/body>/);
    const from = msg.match(/from=["']([^"']+)["']/)![1];
    c.write(`<message from="echo@bot.localhost" to="${from}" type="chat"><body>pong from bot</body></message>`);
    await expectStanza(alice!, '<message from="echo@bot.localhost" type="chat"><body>pong from bot</body></message>');
    c.socket.destroy();
  });

  test('a wrong secret gets not-authorized', async () => {
    const c = await RawComponent.open(port);
    c.write("<stream:stream xmlns='jabber:component:accept' xmlns:stream='http://etherx.jabber.org/streams' to='bot.localhost'>");
    await c.waitFor(/<stream:stream[^>]*\sid=/);
    c.write('<handshake>0000000000000000000000000000000000000000</handshake>');
    await c.waitFor(/<not-authorized xmlns=["']urn:ietf:params:xml:ns:xmpp-streams["']/);
    c.socket.destroy();
  });
});
