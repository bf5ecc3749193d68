// The decision shared by both drivers' PaymentStore.recordEvent (docs/payment.md): given the
// invoice as it is inside the transaction and a provider event, what happens. Pure, so SQLite and
// PostgreSQL cannot drift apart. State only moves forward; late or surplus money goes to refunds.
import type { PaymentEvent, PaymentEventResult, StoredInvoice } from './types.ts';

export interface EventDecision {
  result: Exclude<PaymentEventResult, 'duplicate' | 'replayed' | 'unknown'>;
  /** Column changes for the invoice, if any. */
  update?: Partial<Pick<StoredInvoice, 'state' | 'settledAt' | 'reference' | 'paidMinor' | 'paidCurrency'>>;
}

export function decideEvent(inv: StoredInvoice, e: PaymentEvent): EventDecision {
  const price = inv.prices[e.currency];
  // No FX: money in a currency the invoice is not priced in, or mixed with earlier money in another, is refunded.
  if (price === undefined || (inv.paidCurrency !== null && inv.paidCurrency !== e.currency)) return { result: 'refund' };
  if (inv.state === 'cancelled' || inv.state === 'expired') return { result: 'refund' };
  // Specs: payment must be detected before `expires`; an open invoice reached later is expired.
  if (inv.state === 'open' && e.at >= inv.expiresAt) return { result: 'refund', update: { state: 'expired' } };
  if (inv.state === 'settled' || inv.state === 'consumed') return { result: 'refund' };
  if (e.state === 'pending') return { result: 'applied', update: inv.state === 'open' ? { state: 'pending' } : undefined };
  const paid = BigInt(inv.paidMinor) + BigInt(e.amountMinor);
  if (paid < BigInt(price)) return { result: 'insufficient', update: { paidMinor: paid.toString(), paidCurrency: e.currency } };
  return { result: 'applied', update: { state: 'settled', settledAt: e.at, reference: e.ref, paidMinor: paid.toString(), paidCurrency: e.currency } };
}
