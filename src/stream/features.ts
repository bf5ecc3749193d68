// Extension points of the client stream: extra stream features offered after authentication
// (stream management, CSI, roster versioning...) and handlers for their nonzas.
import type { Element } from '../xml/element.ts';
import type { LocalSession } from '../router/session.ts';

export interface StreamFeatureProvider {
  /** Feature element(s) to add; stage 'authenticated' is the post-SASL stream (before and after bind). */
  features(stage: 'authenticated', session: { secure: boolean }): Element[];
}

/** Handles a top-level non-stanza element (nonza) in a namespace; return true when handled. */
export type NonzaHandler = (session: LocalSession | null, el: Element, ctx: NonzaContext) => boolean | Promise<boolean>;

export interface NonzaContext {
  /** Write a nonza straight to the stream (no stanza hooks). */
  write(el: Element): void;
  /** Whether a resource is bound. */
  bound: boolean;
}

export class StreamFeatures {
  private providers: StreamFeatureProvider[] = [];
  private nonzas = new Map<string, NonzaHandler>();

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
