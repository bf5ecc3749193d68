// Wire format of Payment Required (proto-XEP urn:xmpp:payment:0, specs/payment-required.md
// "Wire format"): <invoice/>, the error carrying it, <receipt/>, and reading <payment/>.
import { xml, type Element } from '../../xml/element.ts';
import { StanzaError, type ErrorType, type StanzaErrorCondition } from '../../stanza/errors.ts';

/** The proto-XEP namespace, in one place (it will change when the XEP gets a number). */
export const NS_PAYMENT = 'urn:xmpp:payment:0';
export const FEATURES = [NS_PAYMENT, `${NS_PAYMENT}#invoice-request`, `${NS_PAYMENT}#receipt`];

export interface InvoiceOption {
  label: string;
  uri: string;
  qr?: string;
  proof?: string;
}

export interface InvoiceView {
  session: string;
  expiresAt: number;
  purpose: string;
  options: InvoiceOption[];
}

const stamp = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function invoiceElement(v: InvoiceView): Element {
  return xml('invoice', { xmlns: NS_PAYMENT, session: v.session, expires: stamp(v.expiresAt), purpose: v.purpose },
    ...v.options.map((o) => xml('option', { label: o.label, proof: o.proof }, o.uri, o.qr ? xml('qr', {}, o.qr) : undefined)));
}

export type PaymentReason = 'payment-required' | 'verification-failed' | 'payment-expired' | 'invalid-session' | 'payment-insufficient' | 'payment-pending';

/**
 * A stanza error with the proto-XEP's two app-specific children (<payment-required/> and, when
 * there is one, <invoice/>); RFC 6120 needs a defined condition, which Parley adds (specs).
 */
export class PaymentError extends StanzaError {
  constructor(condition: StanzaErrorCondition, type: ErrorType, text: string, readonly reason: PaymentReason | null, readonly invoice?: Element, readonly retryAfter?: number) {
    super(condition, text, type, xml('payment-required', { xmlns: NS_PAYMENT, reason: reason ?? undefined, 'retry-after': retryAfter?.toString() }));
  }
  override toElement(by?: string): Element {
    const e = super.toElement(by);
    if (this.invoice) e.append(this.invoice.clone());
    return e;
  }
}

/** The initial decline: auth / not-authorized / payment-required + invoice (a repeat has reason payment-required). */
export const paymentRequired = (text: string, invoice: Element, repeat = false) => new PaymentError('not-authorized', 'auth', text, repeat ? 'payment-required' : null, invoice);
export const paymentRejected = (reason: Exclude<PaymentReason, 'payment-required' | 'payment-pending'>, text: string, invoice?: Element) => new PaymentError('not-acceptable', 'modify', text, reason, invoice);
export const paymentPending = (retryAfter: number) => new PaymentError('not-authorized', 'wait', 'Your payment has been seen and awaits settlement; retry later', 'payment-pending', undefined, retryAfter);

export function receiptElement(session: string, reference: string | null, settledAt: number | null): Element {
  return xml('receipt', { xmlns: NS_PAYMENT, session, reference: reference ?? undefined, settled: settledAt ? stamp(settledAt) : undefined });
}

export interface PaymentClaim {
  session: string;
  proof?: { type: string; value: string };
}

/** Read a <payment/> element; bad-request when it has no session. */
export function parsePayment(el: Element): PaymentClaim {
  const session = el.attrs.session;
  if (!session || session.length > 200) throw new StanzaError('bad-request', '<payment/> needs a session attribute');
  const p = el.getChild('proof', NS_PAYMENT);
  return { session, proof: p ? { type: p.attrs.type ?? '', value: p.getText() } : undefined };
}
