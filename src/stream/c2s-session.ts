// A bound client session (RFC 6120 §7): the JID, presence and outbound path of one resource,
// separate from the connection (the "link") carrying it. The split is what lets a session
// outlive its connection (XEP-0198 §5): the link goes away, the session hibernates in the
// session table, and a new connection's stream attaches to it on resumption.
import type { Jid } from '../jid/index.ts';
import type { HookBus } from '../hooks/bus.ts';
import type { HookEvents } from '../hooks/events.ts';
import type { Logger } from '../observability/log.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Router } from '../router/router.ts';
import type { ClientSession, OutboundStage, SessionKeeper } from '../router/session.ts';
import { xml, type Element } from '../xml/element.ts';
import { NS } from '../xml/namespaces.ts';
import { lazyChild } from '../observability/lazy-log.ts';

/** The connection under a session, as the session sees it (implemented by C2SStream). */
export interface SessionLink {
  readonly id: string;
  readonly secure: boolean;
  readonly remoteAddress: string;
  /** Write one element to the wire. */
  write(el: Element): void;
  /** Close the stream (with a stream error when a condition is given); reports back through linkClosed. */
  close(condition?: string, text?: string): void;
  /** Drop the connection without a closing handshake; reports back through linkClosed as unclean. */
  drop(reason: string): void;
}

export interface SessionDeps {
  router: Router;
  hooks: HookBus<HookEvents>;
  log: Logger;
  metrics: Metrics;
}

interface StageEntry {
  stage: OutboundStage;
  priority: number;
  seq: number;
}

export class C2SSession implements ClientSession {
  readonly kind = 'client';
  readonly id: string;
  readonly features = new Map<string, unknown>();
  presence: Element | null = null;
  priority = 0;
  interested = false;
  lastInbound = Date.now();
  private link: SessionLink | null;
  private lastSecure: boolean;
  private lastAddress: string;
  private keeper: SessionKeeper | null = null;
  private stages: StageEntry[] = [];
  private stageSeq = 0;
  /** Made on first use (stream management observes; most sessions have no observer). */
  private inboundObservers: Set<(el: Element) => void> | null = null;
  private ended = false;
  private readonly log: Logger;

  constructor(readonly jid: Jid, link: SessionLink, private readonly deps: SessionDeps) {
    this.id = link.id;
    this.link = link;
    this.lastSecure = link.secure;
    this.lastAddress = link.remoteAddress;
    // Built only when a line is written (observability/lazy-log.ts).
    this.log = lazyChild(deps.log, () => ({ session: this.id, jid: jid.toString() }));
  }

  get connected(): boolean {
    return this.link !== null;
  }
  get secure(): boolean {
    return this.link?.secure ?? this.lastSecure;
  }
  get remoteAddress(): string {
    return this.link?.remoteAddress ?? this.lastAddress;
  }
  get isEnded(): boolean {
    return this.ended;
  }
  /** Whether this link is the one currently carrying the session. */
  isLink(link: SessionLink): boolean {
    return this.link === link;
  }

  /** LocalSession.send: through the outbound stages, then onto the connection if there is one. */
  send(stanza: Element): void {
    if (this.ended) return;
    this.deps.metrics.stanzasOut.inc({ kind: stanza.name });
    this.runFrom(0, stanza);
  }

  private runFrom(index: number, stanza: Element): void {
    if (this.ended) return;
    const entry = this.stages[index];
    if (!entry) {
      this.link?.write(stanza);
      return;
    }
    entry.stage(stanza, (el) => this.continueAfter(entry, el));
  }

  // A stage may call next() long after it got the stanza (CSI flushes on <active/>), when the
  // stage list has changed: continue with whatever now sorts after it.
  private continueAfter(entry: StageEntry, stanza: Element): void {
    const i = this.stages.findIndex((s) => s.priority < entry.priority || (s.priority === entry.priority && s.seq > entry.seq));
    this.runFrom(i < 0 ? this.stages.length : i, stanza);
  }

  addOutboundStage(stage: OutboundStage, priority: number): () => void {
    const entry: StageEntry = { stage, priority, seq: this.stageSeq++ };
    this.stages.push(entry);
    this.stages.sort((a, b) => b.priority - a.priority || a.seq - b.seq);
    return () => {
      const i = this.stages.indexOf(entry);
      if (i >= 0) this.stages.splice(i, 1);
    };
  }

  onInbound(observer: (stanza: Element) => void): () => void {
    const observers = (this.inboundObservers ??= new Set());
    observers.add(observer);
    return () => observers.delete(observer);
  }

  /** Called by the stream for each stanza the client sends once bound. */
  stanzaIn(stanza: Element): void {
    if (this.inboundObservers) for (const o of this.inboundObservers) o(stanza);
  }

  /** Called by the stream whenever bytes arrive. */
  touch(): void {
    this.lastInbound = Date.now();
  }

  writeRaw(el: Element): boolean {
    if (!this.link || this.ended) return false;
    this.link.write(el);
    return true;
  }

  setKeeper(keeper: SessionKeeper | null): void {
    this.keeper = keeper;
  }

  /** XEP-0198 §5: a new connection takes the session over; returns the link it replaces, if any. */
  attach(link: SessionLink): SessionLink | null {
    const old = this.link;
    this.link = link;
    this.lastSecure = link.secure;
    this.lastAddress = link.remoteAddress;
    this.lastInbound = Date.now();
    return old;
  }

  /**
   * The stream carrying this session is gone. clean: it was closed on purpose (the client's
   * </stream:stream>, a stream error) and the session ends; otherwise the keeper may keep it.
   */
  linkClosed(link: SessionLink, reason: string, clean: boolean): void {
    if (this.ended || link !== this.link) return; // a replaced link (resumed elsewhere) has no say
    this.link = null;
    if (!clean && this.keeper?.connectionLost(reason)) {
      this.log.info({ reason, ip: this.lastAddress }, 'session hibernated');
      void this.deps.hooks.fire('session/hibernated', { session: this, reason });
      return;
    }
    this.end(reason);
  }

  close(condition?: string, text?: string): void {
    if (this.link) this.link.close(condition, text);
    this.end(condition ? `closed: ${condition}` : 'closed');
  }

  dropConnection(reason: string): void {
    this.link?.drop(reason);
  }

  end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    const link = this.link;
    this.link = null;
    link?.close();
    this.keeper = null;
    const { router, hooks, metrics } = this.deps;
    if (!router.sessions.remove(this)) return;
    metrics.sessions.set(router.sessions.size);
    this.log.debug({ reason }, 'session ended');
    if (this.presence) {
      const unavailable = xml('presence', { type: 'unavailable', from: this.jid.toString(), xmlns: NS.client });
      this.presence = null;
      void hooks.fire('presence/broadcast', { stanza: unavailable, session: this, wasAvailable: true });
    }
    void hooks.fire('session/closed', { session: this, reason });
  }
}
