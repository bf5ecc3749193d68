// XEP-0077 §10 wants both error styles: the RFC 6120 condition and the legacy 'code' attribute
// (XEP-0086 mapping). Registration errors are built here rather than by the router because
// errorReply() echoes the request payload, and a register query carries the password:
// Parley never echoes it (docs/registration.md).
import { xml, type Element } from '../../xml/element.ts';
import { StanzaError, type StanzaErrorCondition } from '../../stanza/errors.ts';

/** XEP-0086 §3 legacy error codes. */
const LEGACY_CODE: Partial<Record<StanzaErrorCondition, string>> = {
  'bad-request': '400', 'not-authorized': '401', forbidden: '403', 'item-not-found': '404', 'not-allowed': '405',
  'not-acceptable': '406', 'registration-required': '407', conflict: '409', 'internal-server-error': '500',
  'resource-constraint': '500', 'feature-not-implemented': '501', 'service-unavailable': '503', 'unexpected-request': '400',
  'jid-malformed': '400',
};

/**
 * A registration error; `form` (a jabber:iq:register <query/> around a data form) is the extra
 * data the client must supply, placed per the §3.3 decision in docs/registration.md.
 */
export class RegisterError extends StanzaError {
  constructor(condition: StanzaErrorCondition, text?: string, type?: StanzaError['type'], readonly form?: Element) {
    super(condition, text, type, form);
  }
}

/**
 * The error reply to a register iq, without the request payload. With `legacyFormBeside`, a
 * copy of the form query is also placed beside <error/> where XEP-0077 §3.3 clients look.
 */
export function registerErrorIq(request: Element, err: StanzaError, legacyFormBeside = false): Element {
  const reply = xml('iq', { type: 'error', id: request.attrs.id, from: request.attrs.to, to: request.attrs.from });
  const form = err instanceof RegisterError ? err.form : undefined;
  if (form && legacyFormBeside) reply.append(form.clone());
  const error = err.toElement();
  const code = LEGACY_CODE[err.condition];
  if (code) error.attrs.code = code;
  reply.append(error);
  return reply;
}

export function registerResultIq(request: Element, payload?: Element): Element {
  return xml('iq', { type: 'result', id: request.attrs.id, from: request.attrs.to, to: request.attrs.from }, payload);
}
