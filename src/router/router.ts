// The stanza router: decides where a stanza goes (local session, local account, local
// service, remote domain) and applies the RFC 6120 §10 / RFC 6121 §8 delivery rules.
import { randomBytes } from 'node:crypto';
import { tryParseJid, type Jid } from '../jid/index.ts';
import type { HookBus } from '../hooks/bus.ts';
import type { HookEvents, Routed } from '../hooks/events.ts';
import { errorReply, StanzaError } from '../stanza/errors.ts';
import type { Element } from '../xml/element.ts';
import { xml } from '../xml/element.ts';
import type { Logger } from '../observability/log.ts';
import type { Metrics } from '../observability/metrics.ts';
import { IqRegistry } from './iq.ts';
import type { LocalSession } from './session.ts';
import { SessionTable } from './sessions.ts';
import { deliverToBare, deliverToFull } from './delivery.ts';

/** A local service on its own domain (MUC, upload...): it receives every stanza for that domain. */
export interface Component {
  handle(r: Routed): Promise<void> | void;
}

export interface RouterDeps {
  hooks: HookBus<HookEvents>;
  log: Logger;
  metrics: Metrics;
  /** Whether a domain is one of our virtual hosts. */
  isLocalDomain(domain: string): boolean;
  /** Whether an account exists (for the "no such user" rules). */
  accountExists(username: string, domain: string): Promise<boolean>;
}

export class Router {
  readonly sessions = new SessionTable();
  readonly iq = new IqRegistry();
  private components = new Map<string, Component>();
  private pendingIq = new Map<string, { resolve: (el: Element) => void; timer: NodeJS.Timeout; to: string | undefined }>();
  private iqSeq = 0;

  constructor(private readonly deps: RouterDeps) {}

  registerComponent(domain: string, c: Component): () => void {
    this.components.set(domain, c);
    return () => this.components.delete(domain);
  }

  isLocal(domain: string): boolean {
    return this.deps.isLocalDomain(domain) || this.components.has(domain);
  }

  /**
   * Route a stanza whose 'from' is already stamped and trusted. Errors on the way are turned
   * into error replies to the sender; nothing is thrown to the caller.
   */
  async route(stanza: Element, origin?: LocalSession): Promise<void> {
    const started = process.hrtime.bigint();
    const from = tryParseJid(stanza.attrs.from ?? '');
    if (!from) {
      this.deps.log.warn({ stanza: stanza.name }, 'dropping stanza without a valid from');
      return;
    }
    const toAttr = stanza.attrs.to;
    const to = toAttr === undefined ? from.bare() : tryParseJid(toAttr);
    if (!to) {
      this.bounce(stanza, new StanzaError('jid-malformed', 'The to address is not a valid JID'));
      return;
    }
    const r: Routed = { stanza, from, to, origin };
    try {
      await this.dispatch(r);
    } catch (err) {
      if (err instanceof StanzaError) this.bounce(stanza, err);
      else {
        this.deps.log.error({ err, stanza: stanza.name }, 'routing failed');
        this.bounce(stanza, new StanzaError('internal-server-error'));
      }
    } finally {
      this.deps.metrics.routeLatency.observe(Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  private async dispatch(r: Routed): Promise<void> {
    const { stanza, to } = r;
    const component = this.components.get(to.domain);
    if (component) {
      // Cluster mode: a room may be owned by another node, which then gets the stanza instead.
      if (await this.deps.hooks.fire('route/component', r)) return;
      return void (await component.handle(r));
    }
    if (!this.deps.isLocalDomain(to.domain)) {
      if (!(await this.deps.hooks.fire('route/remote', r))) throw new StanzaError('remote-server-not-found', `No route to ${to.domain}`);
      return;
    }
    const kind = stanza.name as 'message' | 'presence' | 'iq';
    if (kind !== 'message' && kind !== 'presence' && kind !== 'iq') return;
    const target = !to.local ? 'host' : to.resource ? 'full' : 'bare';
    if (kind === 'iq' && target !== 'full') return this.handleIq(r, target);
    if (await this.deps.hooks.fire(`${kind}/${target}`, r)) return;
    if (target === 'host') {
      if (kind === 'iq' || kind === 'presence') return;
      if (stanza.attrs.type !== 'error') throw new StanzaError('service-unavailable');
      return;
    }
    // A bound session proves the account exists; skip the store lookup on this hot path.
    if (target === 'full' && this.sessions.get(to)) return deliverToFull(this, r, this.deps.hooks);
    if (!(await this.deps.accountExists(to.local, to.domain))) {
      // RFC 6121 §8.5.1: no such account.
      if (kind === 'message' && (stanza.attrs.type ?? 'normal') !== 'error' && stanza.attrs.type !== 'headline') throw new StanzaError('service-unavailable');
      if (kind === 'iq') throw new StanzaError('service-unavailable');
      return;
    }
    if (target === 'full') return deliverToFull(this, r, this.deps.hooks);
    return deliverToBare(this, r, this.deps.hooks);
  }

  private async handleIq(r: Routed, target: 'host' | 'bare'): Promise<void> {
    const { stanza } = r;
    const type = stanza.attrs.type;
    if (type === 'result' || type === 'error') {
      // Answers to iqs the server sent for an account (from its bare JID, e.g. a New MUC join) come here too;
      // resolvePending only takes them from the addressee.
      this.resolvePending(stanza);
      return;
    }
    if (type !== 'get' && type !== 'set') throw new StanzaError('bad-request', 'iq type must be get, set, result or error');
    const payloads = stanza.getChildElements().filter((c) => c.name !== 'error');
    if (payloads.length !== 1) throw new StanzaError('bad-request', 'An iq get or set carries exactly one payload (RFC 6120 §8.2.3)');
    const payload = payloads[0];
    // RFC 6121 §8.5.1: an iq to the bare JID of an account that does not exist gets service-unavailable.
    if (target === 'bare' && !r.to.equals(r.from.bare()) && !(await this.deps.accountExists(r.to.local, r.to.domain))) throw new StanzaError('service-unavailable');
    if (await this.deps.hooks.fire(`iq/${target}`, r)) return;
    const handler = this.iq.find(payload.getNS(), type, target);
    if (!handler) throw new StanzaError('service-unavailable');
    const result = await handler({ stanza, payload, from: r.from, to: r.to, target, origin: r.origin });
    const reply = xml('iq', { type: 'result', id: stanza.attrs.id, from: stanza.attrs.to ?? r.to.toString(), to: r.from.toString() });
    if (result) reply.append(result);
    await this.route(reply);
  }

  /** Send an iq from the server (or a local service) and await its result or error. */
  sendIq(iq: Element, timeoutMs = 30_000): Promise<Element> {
    // Unpredictable ids, and only the addressee may answer (resolvePending checks 'from').
    const id = iq.attrs.id ?? `parley-${++this.iqSeq}-${randomBytes(6).toString('hex')}`;
    iq.attrs.id = id;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pendingIq.delete(id);
        resolve(xml('iq', { type: 'error', id }, new StanzaError('remote-server-timeout').toElement()));
      }, timeoutMs);
      timer.unref();
      this.pendingIq.set(id, { resolve, timer, to: iq.attrs.to });
      void this.route(iq);
    });
  }

  private resolvePending(stanza: Element): boolean {
    const id = stanza.attrs.id;
    const p = id !== undefined ? this.pendingIq.get(id) : undefined;
    if (!p || id === undefined) return false;
    if (p.to !== undefined && stanza.attrs.from !== p.to && !(p.to.indexOf('/') < 0 && (stanza.attrs.from ?? '').startsWith(`${p.to}/`))) return false;
    this.pendingIq.delete(id);
    clearTimeout(p.timer);
    p.resolve(stanza);
    return true;
  }

  /** Answer the sender with an error (never for error stanzas). */
  bounce(stanza: Element, error: StanzaError): void {
    const reply = errorReply(stanza, error);
    if (!reply) return;
    if (!reply.attrs.from) {
      const domain = tryParseJid(stanza.attrs.from ?? '')?.domain;
      if (domain) reply.attrs.from = domain;
    }
    if (!reply.attrs.to) return;
    void this.route(reply);
  }

  /** Hand a stanza to one local session and tell observers. */
  deliver(session: LocalSession, r: Routed): void {
    session.send(r.stanza);
    if (r.stanza.name === 'message') void this.deps.hooks.fire('message/delivered', { ...r, session });
  }
}
