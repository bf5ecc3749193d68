// One incoming s2s stream (RFC 6120, XEP-0220, XEP-0178): we are the receiving server.
// The peer proves a domain with SASL EXTERNAL (valid certificate) or dialback; after that its
// stanzas from that domain are routed.
import { randomBytes } from 'node:crypto';
import { Element, xml } from '../xml/element.ts';
import { NS } from '../xml/namespaces.ts';
import type { Logger } from '../observability/log.ts';
import type { Config } from '../config/schema.ts';
import { tryParseJid } from '../jid/index.ts';
import { StreamError } from '../stream/framing.ts';
import { dialbackKey, keysEqual, NS_DB, NS_DB_FEATURE } from './dialback.ts';
import { XmlConn, type S2STransport } from './xml-conn.ts';
import { certMatchesDomain } from './certs.ts';
import { ReadGate, type StreamRateLimits } from '../stream/limits.ts';
import { StanzaError, errorReply } from '../stanza/errors.ts';
import type { Metrics } from '../observability/metrics.ts';

export interface InboundDeps {
  config: Config;
  secret: string;
  log: Logger;
  isLocalDomain(d: string): boolean;
  /** Ask the authoritative server of `remote` whether `key` is valid (XEP-0220 §2.1.2). */
  verifyWithAuthority(local: string, remote: string, streamId: string, key: string): Promise<boolean>;
  route(stanza: Element): void;
  onClosed(s: InboundStream): void;
  /** Rate limits of the peer this stream comes from (shared by its streams, net/rate-limit-peers.ts). */
  limits: StreamRateLimits;
  metrics?: Metrics;
  /** Extra features and nonzas of this transport (QUIC: quic-ack and mux, s2s/quic/receiver.ts). */
  extension?: (s: InboundStream) => InboundExtension;
}

export interface InboundExtension {
  features(): Element[];
  /** true = the element was a nonza of the extension and is handled. */
  onElement(el: Element): boolean;
  /** A stanza from the stream itself (lane 0) was handled. */
  stanzaHandled(): void;
}

export class InboundStream {
  readonly conn: XmlConn;
  private streamId = '';
  private local = '';
  private peerFrom = '';
  private secured: boolean;
  /** Remote domains this stream may send from, and the local domains they may address. */
  readonly authorized = new Map<string, Set<string>>();
  private saslDone = false;
  private readonly log: Logger;
  private readonly gate: ReadGate;
  private readonly ext: InboundExtension | null;

  constructor(transport: S2STransport, directTls: boolean, private readonly deps: InboundDeps) {
    this.secured = directTls;
    this.gate = new ReadGate(() => transport.pauseReading(), () => transport.resumeReading());
    this.log = deps.log.child({ conn: transport.id, listener: 's2s_in', ip: transport.remoteAddress });
    this.conn = new XmlConn(transport, deps.config.limits, {
      onHeader: (attrs, name) => this.onHeader(attrs, name),
      onElement: (el) => this.onElement(el),
      onClosed: () => {
        this.gate.dispose();
        deps.onClosed(this);
      },
      onBytes: (n) => {
        const wait = deps.limits.bytesRead(n);
        if (wait <= 0) return;
        if (!this.gate.isHeld('byte_rate')) deps.metrics?.rateLimited.inc({ direction: 's2s', limit: 'bytes', action: 'throttled' });
        this.gate.holdFor('byte_rate', wait);
      },
    }, (e) => this.onError(e));
    this.ext = deps.extension?.(this) ?? null;
  }

  private onError(e: unknown): void {
    if (e instanceof StreamError) return this.conn.streamError(e.condition, e.text);
    this.log.error({ err: e }, 's2s inbound error');
    this.conn.streamError('internal-server-error');
  }

  private onHeader(attrs: Record<string, string>, name: string): void {
    this.streamId = randomBytes(12).toString('hex');
    const to = attrs.to ?? '';
    this.local = this.deps.isLocalDomain(to) ? to : this.local || this.deps.config.domains[0];
    this.peerFrom = attrs.from ?? this.peerFrom;
    this.conn.sendHeader({ from: this.local, to: attrs.from, id: this.streamId, version: attrs.version !== undefined });
    if (name !== 'stream:stream' || attrs['xmlns:stream'] !== NS.stream || attrs.xmlns !== NS.server) throw new StreamError('invalid-namespace');
    if (to && !this.deps.isLocalDomain(to)) throw new StreamError('host-unknown', `${to} is not served here`);
    if (attrs.version === undefined) return; // XEP-0220 pre-1.0 peers: no features, dialback only
    const f = xml('stream:features', { 'xmlns:stream': NS.stream });
    if (!this.secured) f.append(xml('starttls', { xmlns: NS.tls }, this.deps.config.s2s.require_encryption ? xml('required') : undefined));
    if (!this.saslDone && this.secured && this.peerFrom && this.peerCertValidFor(this.peerFrom)) {
      f.append(xml('mechanisms', { xmlns: NS.sasl }, xml('mechanism', {}, 'EXTERNAL')));
    }
    if (!this.saslDone) f.append(xml('dialback', { xmlns: NS_DB_FEATURE }, xml('errors')));
    for (const x of this.ext?.features() ?? []) f.append(x);
    this.conn.write(f);
  }

  private peerCertValidFor(domain: string): boolean {
    const info = this.conn.transport.peerCertificate();
    return info.authorized && info.cert !== null && certMatchesDomain(info.cert, domain);
  }

  private async onElement(el: Element): Promise<void> {
    const ns = el.getNS();
    this.log.trace({ el: el.name, type: el.attrs.type }, 's2s in <-');
    if (el.is('starttls', NS.tls)) {
      if (this.secured) throw new StreamError('policy-violation', 'TLS is already in place');
      this.conn.write(`<proceed xmlns="${NS.tls}"/>`);
      this.conn.restart();
      try {
        await this.conn.transport.startTls();
      } catch (e) {
        this.log.info({ reason: (e as Error).message }, 's2s TLS handshake failed');
        this.conn.transport.destroy();
        return;
      }
      this.secured = true;
      return;
    }
    if (el.is('auth', NS.sasl)) return this.onSaslExternal(el);
    if (ns === NS_DB && el.localName === 'result') return this.onDialbackResult(el);
    if (ns === NS_DB && el.localName === 'verify') return this.onDialbackVerify(el);
    if ((el.name === 'message' || el.name === 'presence' || el.name === 'iq') && ns === NS.server) {
      this.acceptStanza(el);
      return this.ext?.stanzaHandled();
    }
    if (this.ext?.onElement(el)) return;
    throw new StreamError('unsupported-stanza-type');
  }

  // RFC 6120 §6 with XEP-0178: EXTERNAL succeeds when the certificate is valid for the domain.
  private onSaslExternal(el: Element): void {
    const fail = (cond: string) => this.conn.write(xml('failure', { xmlns: NS.sasl }, xml(cond)));
    if (el.attrs.mechanism !== 'EXTERNAL' || !this.secured) return fail('invalid-mechanism');
    const text = el.getText().trim();
    const authzid = text && text !== '=' ? Buffer.from(text, 'base64').toString('utf8') : this.peerFrom;
    if (!authzid || !this.peerCertValidFor(authzid)) return fail('not-authorized');
    this.saslDone = true;
    this.authorize(authzid, this.local);
    this.conn.write(xml('success', { xmlns: NS.sasl }));
    this.conn.restart();
    this.log.info({ remote: authzid, method: 'external' }, 's2s incoming stream authenticated');
  }

  private async onDialbackResult(el: Element): Promise<void> {
    const from = el.attrs.from ?? '';
    const to = el.attrs.to ?? '';
    const key = el.getText().trim();
    const reply = (type: 'valid' | 'invalid' | 'error', error?: Element) => this.conn.write(xml('db:result', { from: to, to: from, type }, error));
    if (!tryParseJid(from) || !this.deps.isLocalDomain(to)) {
      return reply('error', xml('error', { type: 'cancel' }, xml('item-not-found', { xmlns: NS.stanzas })));
    }
    if (!this.secured && this.deps.config.s2s.require_encryption) return reply('error', xml('error', { type: 'cancel' }, xml('policy-violation', { xmlns: NS.stanzas })));
    // A valid certificate for the claimed domain proves it without a dialback round trip (XEP-0344).
    let valid = this.secured && this.peerCertValidFor(from);
    if (!valid && this.deps.config.s2s.require_valid_certs) return reply('invalid');
    if (!valid) valid = await this.deps.verifyWithAuthority(to, from, this.streamId, key);
    if (valid) {
      this.authorize(from, to);
      this.log.info({ remote: from, local: to, method: 'dialback' }, 's2s incoming stream authenticated');
    }
    reply(valid ? 'valid' : 'invalid');
  }

  // We are the authoritative server: was this key issued by us for that stream? (XEP-0220 §2.1.3)
  private onDialbackVerify(el: Element): void {
    const from = el.attrs.from ?? ''; // the receiving server asking
    const to = el.attrs.to ?? ''; // us, the originating domain
    const expected = dialbackKey(this.deps.secret, from, to, el.attrs.id ?? '');
    const ok = this.deps.isLocalDomain(to) && keysEqual(expected, el.getText().trim());
    this.conn.write(xml('db:verify', { from: to, to: from, id: el.attrs.id, type: ok ? 'valid' : 'invalid' }));
  }

  private authorize(remote: string, local: string): void {
    let set = this.authorized.get(remote);
    if (!set) this.authorized.set(remote, (set = new Set()));
    set.add(local);
  }

  /** Check and route one stanza from the peer (this stream, or a mux lane of it); throws StreamError. */
  acceptStanza(el: Element): void {
    const from = tryParseJid(el.attrs.from ?? '');
    const to = tryParseJid(el.attrs.to ?? '');
    if (!from || !to) throw new StreamError('improper-addressing');
    // RFC 6120 §8.1.1.2 / §13.7.1.1: only domains this stream has proven.
    if (!this.authorized.get(from.domain)?.has(to.domain)) {
      if (!this.deps.isLocalDomain(to.domain)) throw new StreamError('host-unknown');
      throw new StreamError('invalid-from', `${from.domain} is not authenticated on this stream`);
    }
    // Per-peer stanza rate (stream/limits.ts): refuse with policy-violation past the burst and
    // pause reading; a peer that keeps going a whole burst deeper loses the stream.
    const verdict = this.deps.limits.stanza();
    if (verdict.kind === 'close') {
      this.deps.metrics?.rateLimited.inc({ direction: 's2s', limit: 'stanzas', action: 'closed' });
      this.log.warn({ remote: from.domain }, 's2s peer kept flooding past its stanza rate: closing the stream');
      throw new StreamError('policy-violation', 'Stanza rate limit exceeded');
    }
    el.attrs.xmlns = NS.client;
    if (verdict.kind === 'refuse') {
      this.gate.holdFor('stanza_rate', verdict.waitMs);
      this.deps.metrics?.rateLimited.inc({ direction: 's2s', limit: 'stanzas', action: 'refused' });
      if (this.deps.limits.refusedInRow === 1) this.log.warn({ remote: from.domain }, 's2s peer over its stanza rate: refusing stanzas with policy-violation');
      const reply = errorReply(el, new StanzaError('policy-violation', 'Too many stanzas: slow down', 'wait'));
      if (reply) this.deps.route(reply);
      return;
    }
    this.deps.route(el);
  }
}
