// Extension points of the client stream: extra stream features offered after authentication
// (stream management, CSI, roster versioning...) and handlers for their nonzas; before
// authentication, features and iq handlers such as in-band registration (XEP-0077).
import type { Element } from '../xml/element.ts';
import type { ClientSession } from '../router/session.ts';

export interface StreamFeatureProvider {
  /** Feature element(s) to add; stage 'authenticated' is the post-SASL stream (before and after bind). */
  features(stage: 'authenticated', session: { secure: boolean }): Element[];
}

/** Handles a top-level non-stanza element (nonza) in a namespace; return true when handled. */
export type NonzaHandler = (session: ClientSession | null, el: Element, ctx: NonzaContext) => boolean | Promise<boolean>;

export interface NonzaContext {
  /** Write a nonza straight to the stream (no stanza hooks). */
  write(el: Element): void;
  /** Whether a resource is bound. */
  bound: boolean;
  /** The account this stream authenticated as (after SASL), or null before. */
  account: { username: string; domain: string } | null;
  /**
   * XEP-0198 §5: attach this authenticated, unbound stream to an existing session of the same
   * account (the caller checks that), instead of binding a new resource. A connection still
   * attached to that session is closed with a conflict stream error. 'session/resumed' fires once
   * the handler returns, so the handler writes <resumed/> and resends its queue first.
   */
  resume(session: ClientSession): void;
  /**
   * XEP-0198 §5 across cluster nodes: bind `resource` of this stream's account without a bind iq
   * (the session was handed over by the node it hibernated on; the caller checked the account).
   * A local session with that full JID is closed (conflict). 'session/bound' fires once the
   * handler returns, so the handler sets the session's state, writes <resumed/> and resends first.
   */
  bindResumed(resource: string): ClientSession;
}

/** Offered before authentication (e.g. XEP-0077 in-band registration), next to the SASL mechanisms. */
export interface PreAuthFeatureProvider {
  features(stream: { secure: boolean; domain: string }): Element[];
}

/** What a handler of pre-authentication iqs gets from the stream it serves. */
export interface PreAuthContext {
  /** The local domain the stream was opened to. */
  domain: string;
  secure: boolean;
  /** The client's IP address (for rate limits). */
  remoteAddress: string;
  /** Per-stream state for the handler, dropped when the stream closes. */
  state: Map<string, unknown>;
  /** Write a stanza straight to the unauthenticated client. */
  write(el: Element): void;
  /** End the stream with a stream error. */
  close(condition: string, text?: string): void;
}

/**
 * Handles an iq sent before authentication on a secure stream, chosen by the namespace of its
 * payload (XEP-0077 §3.1: registration happens before the client has an address). Without a
 * handler the stream answers with the not-authorized stream error, as RFC 6120 §6.4.1 expects.
 */
export type PreAuthIqHandler = (iq: Element, payload: Element, ctx: PreAuthContext) => void | Promise<void>;

export class StreamFeatures {
  private providers: StreamFeatureProvider[] = [];
  private nonzas = new Map<string, NonzaHandler>();
  private preAuthProviders: PreAuthFeatureProvider[] = [];
  private preAuthIqs = new Map<string, PreAuthIqHandler>();

  addPreAuth(p: PreAuthFeatureProvider): () => void {
    this.preAuthProviders.push(p);
    return () => (this.preAuthProviders = this.preAuthProviders.filter((x) => x !== p));
  }

  handlePreAuthIq(ns: string, h: PreAuthIqHandler): () => void {
    this.preAuthIqs.set(ns, h);
    return () => this.preAuthIqs.delete(ns);
  }

  collectPreAuth(stream: { secure: boolean; domain: string }): Element[] {
    return this.preAuthProviders.flatMap((p) => p.features(stream));
  }

  preAuthIqHandler(ns: string | undefined): PreAuthIqHandler | undefined {
    return ns === undefined ? undefined : this.preAuthIqs.get(ns);
  }

  add(p: StreamFeatureProvider): () => void {
    this.providers.push(p);
    return () => (this.providers = this.providers.filter((x) => x !== p));
  }

  handleNonzas(ns: string, h: NonzaHandler): () => void {
    this.nonzas.set(ns, h);
    return () => this.nonzas.delete(ns);
  }

  collect(stage: 'authenticated', session: { secure: boolean }): Element[] {
    return this.providers.flatMap((p) => p.features(stage, session));
  }

  nonzaHandler(ns: string | undefined): NonzaHandler | undefined {
    return ns === undefined ? undefined : this.nonzas.get(ns);
  }
}
