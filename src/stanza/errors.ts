// Stanza errors (RFC 6120 §8.3) as typed values, turned into wire errors in one place.
import { Element, xml } from '../xml/element.ts';
import { NS } from '../xml/namespaces.ts';

export type ErrorType = 'auth' | 'cancel' | 'continue' | 'modify' | 'wait';

export type StanzaErrorCondition =
  | 'bad-request' | 'conflict' | 'feature-not-implemented' | 'forbidden' | 'gone' | 'internal-server-error'
  | 'item-not-found' | 'jid-malformed' | 'not-acceptable' | 'not-allowed' | 'not-authorized' | 'policy-violation'
  | 'recipient-unavailable' | 'redirect' | 'registration-required' | 'remote-server-not-found'
  | 'remote-server-timeout' | 'resource-constraint' | 'service-unavailable' | 'subscription-required'
  | 'undefined-condition' | 'unexpected-request';

/** Default error type per condition (RFC 6120 §8.3.3). */
const DEFAULT_TYPE: Record<StanzaErrorCondition, ErrorType> = {
  'bad-request': 'modify', conflict: 'cancel', 'feature-not-implemented': 'cancel', forbidden: 'auth', gone: 'cancel',
  'internal-server-error': 'cancel', 'item-not-found': 'cancel', 'jid-malformed': 'modify', 'not-acceptable': 'modify',
  'not-allowed': 'cancel', 'not-authorized': 'auth', 'policy-violation': 'modify', 'recipient-unavailable': 'wait',
  redirect: 'modify', 'registration-required': 'auth', 'remote-server-not-found': 'cancel', 'remote-server-timeout': 'wait',
  'resource-constraint': 'wait', 'service-unavailable': 'cancel', 'subscription-required': 'auth',
  'undefined-condition': 'cancel', 'unexpected-request': 'wait',
};

export class StanzaError extends Error {
  /** Passes through the hook bus to the code that answers the sender. */
  readonly propagate = true;
  readonly type: ErrorType;
  constructor(
    public readonly condition: StanzaErrorCondition,
    public readonly text?: string,
    type?: ErrorType,
    /** Application-specific condition element (RFC 6120 §8.3.4). */
    public readonly appCondition?: Element,
  ) {
    super(text ?? condition);
    this.type = type ?? DEFAULT_TYPE[condition];
  }

  toElement(by?: string): Element {
    const err = xml('error', { type: this.type, by });
    err.append(xml(this.condition, { xmlns: NS.stanzas }));
    if (this.text) err.append(xml('text', { xmlns: NS.stanzas, 'xml:lang': 'en' }, this.text));
    if (this.appCondition) err.append(this.appCondition);
    return err;
  }
}

/**
 * The error reply to a stanza: same name and id, to/from swapped, original payload kept
 * (RFC 6120 §8.3.1). Returns null for stanzas of type error: never answer an error with an error.
 */
export function errorReply(stanza: Element, error: StanzaError, by?: string): Element | null {
  if (stanza.attrs.type === 'error') return null;
  const reply = new Element(stanza.name, { xmlns: stanza.attrs.xmlns, type: 'error', id: stanza.attrs.id, from: stanza.attrs.to, to: stanza.attrs.from });
  for (const k of Object.keys(reply.attrs)) if (reply.attrs[k] === undefined) delete reply.attrs[k];
  // Keep the original payload for iq/message so the sender can tell what failed; presence errors stay small.
  if (stanza.name !== 'presence') for (const child of stanza.getChildElements()) reply.append(child.clone());
  reply.append(error.toElement(by));
  return reply;
}
