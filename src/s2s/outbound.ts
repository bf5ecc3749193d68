// One outgoing s2s stream for a (local domain, remote domain) pair (RFC 6120 §4-§6, XEP-0220):
// connect → STARTTLS → SASL EXTERNAL when the peer offers it, else dialback → ready.
// Stanzas queue until ready; on failure the owner bounces them. With s2s over QUIC the stream
// runs on a QUIC stream instead (s2s/quic/: happy eyeballs against TCP, no STARTTLS, and
// quic-ack + mux through an OutboundExtension).
import { connect as netConnect } from 'node:net';
import { TcpTransport, type TlsOptions } from '../net/tcp-transport.ts';
import { Element, xml } from '../xml/element.ts';
import { NS } from '../xml/namespaces.ts';
import type { Logger } from '../observability/log.ts';
import type { Config } from '../config/schema.ts';
import { domainToAscii } from '../jid/index.ts';
import { dialbackKey, NS_DB, NS_DB_FEATURE } from './dialback.ts';
import { XmlConn, type S2STransport } from './xml-conn.ts';
import type { Target } from './resolve.ts';
import { certMatchesDomain } from './certs.ts';

export type OutboundState = 'connecting' | 'negotiating' | 'ready' | 'failed';

export interface OutboundDeps {
  config: Config;
  tls: TlsOptions;
  secret: string;
  log: Logger;
  onReady(o: OutboundStream): void;
  onFailed(o: OutboundStream, condition: 'remote-server-not-found' | 'remote-server-timeout', reason: string): void;
  onClosed(o: OutboundStream): void;
}

/** A connected transport for the stream: TCP (maybe Direct TLS) or a QUIC stream. */
export interface Dialed {
  transport: S2STransport;
  /** TLS is in place from the start (Direct TLS, QUIC). */
  secured: boolean;
  via: 'tcp' | 'quic';
  /** Extra negotiation after authentication (QUIC: quic-ack and mux). */
  extension?: (o: OutboundStream) => OutboundExtension;
  /** Close it unused (the other transport won the race). */
  discard(): void;
}

export interface OutboundExtension {
  onFeatures(features: Element): void;
  /** true = an element of the extension, handled. */
  onElement(el: Element): boolean;
  /** Runs once authenticated, before the stream counts as ready. */
  start(): Promise<void>;
  /** true = the extension sent the stanza (e.g. on a mux lane). */
  send(stanza: Element): boolean;
}

interface PendingVerify {
  from: string;
  to: string;
  id: string;
  key: string;
  resolve(valid: boolean): void;
}

export class OutboundStream {
  state: OutboundState = 'connecting';
  conn: XmlConn | null = null;
  private streamId = '';
  private triedExternal = false;
  private peerOffersDialback = false;
  private secured = false;
  /** Dialback verifications (XEP-0220 §2.1.2) we were asked to make as a receiving server. */
  private verifies: PendingVerify[] = [];
  private verifySent = new Set<PendingVerify>();
  /** Authenticated with SASL EXTERNAL (vs dialback). */
  method: 'external' | 'dialback' | null = null;
  certValid = false;
  via: 'tcp' | 'quic' | null = null;
  private ext: OutboundExtension | null = null;
  private authenticated = false;

  constructor(readonly local: string, readonly remote: string, private readonly deps: OutboundDeps) {}

  /** Connect over TCP to the first target that answers, or use what `dial` produced (QUIC racing TCP). */
  async connect(targets: Target[], dial?: (tcp: () => Promise<Dialed>) => Promise<Dialed>): Promise<void> {
    try {
      const d = await (dial ? dial(() => this.dialTcp(targets)) : this.dialTcp(targets));
      if (this.state === 'failed') return d.discard();
      this.via = d.via;
      this.ext = d.extension?.(this) ?? null;
      this.start(d.transport, d.secured);
    } catch (e) {
      this.fail('remote-server-not-found', (e as Error).message);
    }
  }

  private async dialTcp(targets: Target[]): Promise<Dialed> {
    let lastError = `${this.remote} does not resolve`;
    for (const t of targets) {
      try {
        const socket = await new Promise<import('node:net').Socket>((resolve, reject) => {
          const s = netConnect({ host: t.host, port: t.port });
          const timer = setTimeout(() => {
            s.destroy();
            reject(new Error(`connect to ${t.host}:${t.port} timed out`));
          }, this.deps.config.s2s.connect_timeout * 1000);
          s.once('connect', () => {
            clearTimeout(timer);
            resolve(s);
          });
          s.once('error', (e) => {
            clearTimeout(timer);
            reject(e);
          });
        });
        const tlsOpts: TlsOptions = { ...this.deps.tls, role: 'client', servername: domainToAscii(this.remote) };
        const transport = new TcpTransport(socket, 's2s_out', tlsOpts, t.directTls);
        return { transport, secured: t.directTls, via: 'tcp', discard: () => transport.destroy() };
      } catch (e) {
        lastError = (e as Error).message;
      }
    }
    throw new Error(lastError);
  }

  private start(transport: S2STransport, directTls: boolean): void {
    this.state = 'negotiating';
    this.secured = directTls;
    this.conn = new XmlConn(transport, this.deps.config.limits, {
      onHeader: (attrs) => this.onHeader(attrs),
      onElement: (el) => this.onElement(el),
      onClosed: (reason) => this.onClosed(reason),
    }, (e) => this.fail('remote-server-not-found', (e as Error).message));
    if (directTls) this.checkCert();
    this.conn.sendHeader({ from: this.local, to: this.remote });
  }

  private onHeader(attrs: Record<string, string>): void {
    this.streamId = attrs.id ?? '';
    if (attrs['xmlns:db'] === NS_DB) this.peerOffersDialback = true;
    if (attrs.version === undefined) this.dialback(); // pre-1.0 peer: no features will come
  }

  private checkCert(): void {
    const info = this.conn!.transport.peerCertificate();
    this.certValid = info.authorized && info.cert !== null && certMatchesDomain(info.cert, this.remote);
    if (!this.certValid) this.deps.log.info({ remote: this.remote, reason: info.authError ?? 'name mismatch' }, 's2s peer certificate does not validate');
  }

  private async onElement(el: Element): Promise<void> {
    const conn = this.conn!;
    this.deps.log.trace({ remote: this.remote, el: el.name, type: el.attrs.type }, 's2s out <-');
    if (this.ext?.onElement(el)) return;
    if (el.is('features', NS.stream)) {
      this.ext?.onFeatures(el);
      if (el.getChild('dialback', NS_DB_FEATURE)) this.peerOffersDialback = true;
      this.flushVerifies();
      if (this.state === 'ready' || this.authenticated) return;
      if (!this.secured && el.getChild('starttls', NS.tls)) {
        conn.write(xml('starttls', { xmlns: NS.tls }));
        return;
      }
      if (!this.secured && this.deps.config.s2s.require_encryption) return this.fail('remote-server-not-found', 'peer does not offer TLS');
      if (this.secured && this.deps.config.s2s.require_valid_certs && !this.certValid) return this.fail('remote-server-not-found', 'peer certificate not valid');
      const mechs = el.getChild('mechanisms', NS.sasl)?.getChildren('mechanism').map((m) => m.getText().trim()) ?? [];
      if (this.secured && mechs.includes('EXTERNAL') && !this.triedExternal) {
        this.triedExternal = true;
        conn.write(xml('auth', { xmlns: NS.sasl, mechanism: 'EXTERNAL' }, Buffer.from(this.local).toString('base64')));
        return;
      }
      return this.dialback();
    }
    if (el.is('proceed', NS.tls)) {
      conn.restart();
      try {
        await conn.transport.startTls();
      } catch (e) {
        return this.fail('remote-server-not-found', `TLS handshake failed: ${(e as Error).message}`);
      }
      this.secured = true;
      this.checkCert();
      conn.sendHeader({ from: this.local, to: this.remote });
      return;
    }
    if (el.is('success', NS.sasl)) {
      this.method = 'external';
      conn.restart();
      conn.sendHeader({ from: this.local, to: this.remote });
      return this.becomeReady();
    }
    if (el.is('failure', NS.sasl)) return this.dialback();
    if (el.localName === 'result' && el.getNS() === NS_DB) {
      if (el.attrs.type === 'valid') {
        this.method = 'dialback';
        return this.becomeReady();
      }
      return this.fail('remote-server-not-found', `dialback refused (${el.attrs.type ?? 'no type'})`);
    }
    if (el.localName === 'verify' && el.getNS() === NS_DB) {
      const p = [...this.verifySent].find((v) => v.id === el.attrs.id && v.from === el.attrs.to && v.to === el.attrs.from);
      if (p) {
        this.verifySent.delete(p);
        p.resolve(el.attrs.type === 'valid');
      }
      return;
    }
    if (el.is('error', NS.stream)) return this.fail('remote-server-not-found', `stream error from peer: ${el.getChildElements()[0]?.name ?? 'unknown'}`);
    // Stanzas are not expected on an outgoing stream (no XEP-0288 bidi): ignore.
  }

  private dialback(): void {
    if (!this.peerOffersDialback) return this.fail('remote-server-not-found', 'no usable authentication method (no EXTERNAL, no dialback)');
    if (!this.secured && this.deps.config.s2s.require_encryption) return this.fail('remote-server-not-found', 'peer does not offer TLS');
    const key = dialbackKey(this.deps.secret, this.remote, this.local, this.streamId);
    this.conn!.write(xml('db:result', { from: this.local, to: this.remote }, key));
  }

  private becomeReady(): void {
    // Authenticated; the features after SASL's restart must not start a second authentication.
    if (this.authenticated) return;
    this.authenticated = true;
    if (!this.ext) return this.ready();
    this.ext.start().then(
      () => this.ready(),
      (e) => this.fail('remote-server-not-found', `QUIC stream negotiation failed: ${(e as Error).message}`),
    );
  }

  private ready(): void {
    if (this.state !== 'negotiating') return;
    this.state = 'ready';
    this.deps.log.info({ local: this.local, remote: this.remote, method: this.method, cert_valid: this.certValid, via: this.via }, 's2s outgoing stream ready');
    this.deps.onReady(this);
  }

  /** XEP-0220 §2.1.2: ask this (authoritative) server whether a key it issued is valid. */
  verify(from: string, to: string, id: string, key: string): Promise<boolean> {
    return new Promise((resolve) => {
      this.verifies.push({ from, to, id, key, resolve });
      this.flushVerifies();
    });
  }

  private flushVerifies(): void {
    if (!this.conn || this.conn.isClosed || !this.streamId) return;
    if (!this.secured && this.deps.config.s2s.require_encryption) return;
    for (const v of this.verifies.splice(0)) {
      this.verifySent.add(v);
      this.conn.write(xml('db:verify', { from: v.from, to: v.to, id: v.id }, v.key));
    }
  }

  send(stanza: Element): void {
    const copy = stanza.clone();
    copy.attrs.xmlns = NS.server;
    if (this.ext?.send(copy)) return;
    this.conn?.write(copy);
  }

  private fail(condition: 'remote-server-not-found' | 'remote-server-timeout', reason: string): void {
    if (this.state === 'failed') return;
    const wasReady = this.state === 'ready';
    this.state = 'failed';
    this.deps.log.info({ local: this.local, remote: this.remote, reason }, 's2s outgoing stream failed');
    for (const v of [...this.verifies, ...this.verifySent]) v.resolve(false);
    this.verifies = [];
    this.verifySent.clear();
    this.conn?.close();
    if (!wasReady) this.deps.onFailed(this, condition, reason);
    else this.deps.onClosed(this);
  }

  timeout(): void {
    if (this.state !== 'ready') this.fail('remote-server-timeout', 'timed out establishing the stream');
  }

  close(): void {
    this.conn?.close();
  }

  private onClosed(reason: string): void {
    if (this.state === 'ready') {
      this.state = 'failed';
      this.deps.onClosed(this);
    } else this.fail('remote-server-not-found', `connection closed: ${reason}`);
  }
}
