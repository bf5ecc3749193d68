// A hand-driven s2s peer over QUIC (ALPN xmpp-server) for protocol-violation tests: it presents
// the run's CA certificate for `from`, authenticates with SASL EXTERNAL, enables quic-ack and mux,
// and then lets the test open lanes and write whatever it likes.
import { readFileSync } from 'node:fs';
import { QUICClient, events } from '@matrixai/quic';
import Logger, { LogLevel } from '@matrixai/logger';
import { clientCrypto } from '../../src/net/quic/crypto.ts';
import { XmlLane } from '../../src/quic-client/xml-lane.ts';
import type { Element } from '../../src/xml/element.ts';

const NS_ACK = 'urn:xmpp:quic-ack:0';
const NS_MUX = 'urn:xmpp:quic-mux:0';

export function s2sHeader(from: string, to: string): string {
  return `<?xml version='1.0'?><stream:stream xmlns="jabber:server" xmlns:stream="http://etherx.jabber.org/streams" from="${from}" to="${to}" version="1.0">`;
}

/** Elements arriving on one QUIC stream, with waiting for a match. */
export class Collector {
  readonly els: Element[] = [];
  private wake = new Set<() => void>();
  push = (el: Element): void => {
    this.els.push(el);
    for (const w of this.wake) w();
  };
  next(pred: (el: Element) => boolean, timeoutMs = 5000): Promise<Element> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const i = this.els.findIndex(pred);
        if (i < 0) return;
        const [el] = this.els.splice(i, 1);
        clearTimeout(t);
        this.wake.delete(check);
        resolve(el);
      };
      const t = setTimeout(() => {
        this.wake.delete(check);
        reject(new Error(`no matching element in ${timeoutMs} ms; have: ${this.els.map((e) => e.toString()).join(' ') || 'nothing'}`));
      }, timeoutMs);
      this.wake.add(check);
      check();
    });
  }
}

export interface RawMuxPeer {
  sid: string;
  lanes: number;
  /** Resolves when the QUIC connection is gone. */
  closed: Promise<void>;
  /** Open a QUIC stream, write a stream header and `first`, collect what comes back. */
  openLane(first: string): { lane: XmlLane; got: Collector };
  destroy(): Promise<void>;
}

export interface RawS2SStream {
  /** Lane 0: the first QUIC stream, with the stream header written and the first features read. */
  lane0: XmlLane;
  got: Collector;
  features: Element;
  conn: QUICClient['connection'];
  closed: Promise<void>;
  /** SASL EXTERNAL for `from`, stream restart; resolves with the new features. */
  authenticate(): Promise<Element>;
  destroy(): Promise<void>;
}

/** Connect with ALPN xmpp-server presenting the test CA's certificate; open the s2s stream. */
export async function rawS2SStream(port: number, from: string, to: string): Promise<RawS2SStream> {
  const client = await QUICClient.createQUICClient({
    host: '127.0.0.1',
    port,
    localHost: '127.0.0.1',
    serverName: to,
    crypto: clientCrypto(),
    logger: new Logger('raw-s2s', LogLevel.WARN),
    config: { key: readFileSync(process.env.PARLEY_TEST_CA_KEY!, 'utf8'), cert: readFileSync(process.env.PARLEY_TEST_CA_CERT!, 'utf8'), verifyPeer: false, applicationProtos: ['xmpp-server'] },
  }, { timer: 5000 });
  const conn = client.connection;
  conn.addEventListener(events.EventQUICConnectionError.name, () => {});
  const closed = new Promise<void>((r) => conn.addEventListener(events.EventQUICConnectionStopped.name, () => r(), { once: true }));
  const got = new Collector();
  const lane0 = new XmlLane(conn.newStream('bidi'), { onElement: got.push, onClose: () => {} });
  await lane0.write(s2sHeader(from, to));
  const features = await got.next((el) => el.name === 'stream:features');
  return {
    lane0,
    got,
    features,
    conn,
    closed,
    async authenticate() {
      if (!features.getChild('mechanisms')) throw new Error(`no SASL EXTERNAL offered: ${features.toString()}`);
      await lane0.write(`<auth xmlns="urn:ietf:params:xml:ns:xmpp-sasl" mechanism="EXTERNAL">${Buffer.from(from).toString('base64')}</auth>`);
      const outcome = await got.next((el) => el.name === 'success' || el.name === 'failure');
      if (outcome.name !== 'success') throw new Error(`EXTERNAL failed: ${outcome.toString()}`);
      lane0.resetParser();
      await lane0.write(s2sHeader(from, to));
      return got.next((el) => el.name === 'stream:features');
    },
    destroy: () => client.destroy({ isApp: true, errorCode: 0, force: true }).catch(() => {}),
  };
}

export async function rawMuxPeer(port: number, from: string, to: string, lanes = 4): Promise<RawMuxPeer> {
  const { lane0, got, conn, closed, authenticate, destroy } = await rawS2SStream(port, from, to);
  await authenticate();
  await lane0.write(`<enable xmlns="${NS_ACK}"/>`);
  await got.next((el) => el.name === 'enabled');
  await lane0.write(`<mux xmlns="${NS_MUX}" lanes="${lanes}"/>`);
  const on = await got.next((el) => el.name === 'mux-on');
  return {
    sid: on.attrs.sid ?? '',
    lanes: Number(on.attrs.lanes),
    closed,
    openLane(first) {
      const c = new Collector();
      const lane = new XmlLane(conn.newStream('bidi'), { onElement: c.push, onClose: () => {} });
      void lane.write(s2sHeader(from, to) + first);
      return { lane, got: c };
    },
    destroy,
  };
}
