// Server-side iq handlers, keyed by the payload namespace and the iq type (RFC 6120 §8.2.3).
import type { Jid } from '../jid/index.ts';
import type { Element } from '../xml/element.ts';
import type { LocalSession } from './session.ts';

export interface IqRequest {
  stanza: Element;
  /** The first (only) child: the request payload. */
  payload: Element;
  from: Jid;
  to: Jid;
  /** 'host' for iqs to a domain, 'bare' for iqs to an account's bare JID (or without 'to'). */
  target: 'host' | 'bare';
  origin?: LocalSession;
}

/** Return the result payload (or nothing for an empty result); throw StanzaError to fail. */
export type IqHandler = (req: IqRequest) => Promise<Element | void> | Element | void;

export interface IqHandlerOptions {
  /** Which addresses the handler answers for: the domain, an account's bare JID, or both. */
  scope?: 'host' | 'bare' | 'both';
}

export class IqRegistry {
  private handlers = new Map<string, { fn: IqHandler; scope: 'host' | 'bare' | 'both' }>();

  handle(ns: string, type: 'get' | 'set', fn: IqHandler, opts: IqHandlerOptions = {}): () => void {
    const key = `${type} ${ns}`;
    if (this.handlers.has(key)) throw new Error(`iq handler for ${key} is already registered`);
    this.handlers.set(key, { fn, scope: opts.scope ?? 'host' });
    return () => this.handlers.delete(key);
  }

  find(ns: string | undefined, type: string, target: 'host' | 'bare'): IqHandler | undefined {
    if (ns === undefined) return undefined;
    const h = this.handlers.get(`${type} ${ns}`);
    return h && (h.scope === 'both' || h.scope === target) ? h.fn : undefined;
  }
}
