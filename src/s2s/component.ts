// External components (XEP-0114, jabber:component:accept): a gateway or bot connects with a
// shared secret and then receives every stanza for its domain.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Server as NetServer } from 'node:net';
import type { Config } from '../config/schema.ts';
import { listenTcp } from '../net/listeners.ts';
import type { TcpTransport } from '../net/tcp-transport.ts';
import type { Logger } from '../observability/log.ts';
import type { Router } from '../router/router.ts';
import { tryParseJid } from '../jid/index.ts';
import { NS } from '../xml/namespaces.ts';
import type { Element } from '../xml/element.ts';
import { StreamError } from '../stream/framing.ts';
import { XmlConn } from './xml-conn.ts';

export const NS_COMPONENT = 'jabber:component:accept';

export interface Components {
  stop(): Promise<void>;
}

/** XEP-0114 §3: handshake = lowercase hex SHA-1 of stream id + secret. */
export function componentHandshake(streamId: string, secret: string): string {
  return createHash('sha1').update(streamId + secret).digest('hex');
}

export async function startComponents(config: Config, router: Router, log: Logger): Promise<Components> {
  const conns = new Set<XmlConn>();
  const listeners: NetServer[] = await listenTcp({ name: 'component', port: config.components.port, interfaces: config.components.interfaces, directTls: false }, null, (t) => {
    let domain = '';
    let streamId = '';
    let unregister: (() => void) | null = null;
    const conn: XmlConn = new XmlConn(t as TcpTransport, config.limits, {
      onHeader(attrs) {
        streamId = randomBytes(12).toString('hex');
        domain = attrs.to ?? '';
        conn.sendHeader({ from: domain, id: streamId, ns: NS_COMPONENT, version: false });
        if (attrs.xmlns !== NS_COMPONENT) throw new StreamError('invalid-namespace');
        if (!(domain in config.components.secrets)) throw new StreamError('host-unknown');
        if (router.isLocal(domain)) throw new StreamError('conflict', 'Another component serves this domain');
      },
      onElement(el: Element) {
        if (!unregister) {
          if (el.name !== 'handshake') throw new StreamError('not-authorized');
          const expected = Buffer.from(componentHandshake(streamId, config.components.secrets[domain]));
          const got = Buffer.from(el.getText().trim().toLowerCase());
          if (expected.length !== got.length || !timingSafeEqual(expected, got)) throw new StreamError('not-authorized');
          if (router.isLocal(domain)) throw new StreamError('conflict');
          unregister = router.registerComponent(domain, {
            handle: (r) => {
              const copy = r.stanza.clone();
              copy.attrs.xmlns = NS_COMPONENT;
              conn.write(copy);
            },
          });
          conn.write('<handshake/>');
          log.info({ domain }, 'component connected');
          return;
        }
        const from = tryParseJid(el.attrs.from ?? '');
        // XEP-0114 §3.1: a component may only send from its own domain (or subdomains of it).
        if (!from || (from.domain !== domain && !from.domain.endsWith(`.${domain}`))) throw new StreamError('invalid-from');
        if (el.name !== 'message' && el.name !== 'presence' && el.name !== 'iq') throw new StreamError('unsupported-stanza-type');
        el.attrs.xmlns = NS.client;
        void router.route(el);
      },
      onClosed() {
        unregister?.();
        conns.delete(conn);
        if (domain) log.info({ domain }, 'component disconnected');
      },
    }, (e) => {
      if (e instanceof StreamError) conn.streamError(e.condition, e.text);
      else {
        log.error({ err: e }, 'component stream error');
        conn.streamError('internal-server-error');
      }
    });
    conns.add(conn);
  });
  return {
    async stop() {
      for (const l of listeners) l.close();
      for (const c of conns) c.streamError('system-shutdown');
    },
  };
}
