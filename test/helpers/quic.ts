// A Parley server with the QUIC listener on (XEP-0467) and QuicXmppClient logins against it.
import { readFileSync } from 'node:fs';
import { startServer, testCert, type RunningServer, type StartOptions } from './server.ts';
import { freePort } from './ports.ts';
import { QuicXmppClient, type QuicXmppOptions } from '../../src/quic-client/index.ts';

export interface QuicServer extends RunningServer {
  quicPort: number;
}

export async function startQuicServer(quic: Record<string, unknown> = {}, opts: StartOptions = {}): Promise<QuicServer> {
  const quicPort = await freePort();
  const server = await startServer({ ...opts, config: { ...(opts.config ?? {}), quic: { enabled: true, port: quicPort, interfaces: ['127.0.0.1'], ...quic } } });
  return Object.assign(server, { quicPort });
}

export const testCa = readFileSync(testCert, 'utf8');

export function quicLogin(server: QuicServer, username: string, extra: Partial<QuicXmppOptions> = {}): Promise<QuicXmppClient> {
  return QuicXmppClient.connect({ host: '127.0.0.1', port: server.quicPort, domain: server.domain, username, password: `${username}-secret`, ca: testCa, ...extra });
}

/** Resolves with the first stanza (already received or arriving later) that matches. */
export function waitStanza(c: QuicXmppClient, pred: (el: import('../../src/xml/element.ts').Element) => boolean, timeoutMs = 10_000): Promise<import('../../src/xml/element.ts').Element> {
  const have = c.received.find(pred);
  if (have) return Promise.resolve(have);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no matching stanza in ${timeoutMs} ms; got ${c.received.length}`)), timeoutMs);
    c.onStanza((el) => {
      if (pred(el)) {
        clearTimeout(t);
        resolve(el);
      }
    });
  });
}
