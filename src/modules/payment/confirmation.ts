// An operator's payment confirmation, whatever the channel (webhook, ad-hoc command, CLI):
// validated completely before anything is stored (a bad currency or amount stores nothing).
import { isCurrency, parsePrice } from './money.ts';
import type { PaymentDesk } from './desk.ts';
import type { PaymentEventResult, StoredInvoice } from '../../storage/types.ts';

export interface Confirmation {
  session: string;
  state: 'pending' | 'settled';
  /** Minor units; default: the invoiced amount. */
  amountMinor?: string | number;
  /** Default: the invoice currency. */
  currency?: string;
  /** Payment-network reference: the idempotency key. */
  ref: string;
}

export class ConfirmationError extends Error {}

const SESSION = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Shape checks that need no storage; throws ConfirmationError. */
export function parseConfirmation(body: unknown): Confirmation {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ConfirmationError('expected a JSON object');
  const b = body as Record<string, unknown>;
  const missing = ['session', 'state', 'ref'].filter((k) => b[k] === undefined || b[k] === '');
  if (missing.length) throw new ConfirmationError(`missing required field(s): ${missing.join(', ')}`);
  if (typeof b.session !== 'string' || !SESSION.test(b.session)) throw new ConfirmationError('session must be an invoice session (UUID)');
  if (b.state !== 'pending' && b.state !== 'settled') throw new ConfirmationError('state must be "pending" or "settled"');
  if (typeof b.ref !== 'string' || b.ref.length > 200) throw new ConfirmationError('ref must be a string of at most 200 characters');
  if (b.currency !== undefined && (typeof b.currency !== 'string' || !isCurrency(b.currency))) throw new ConfirmationError(`currency ${JSON.stringify(b.currency)} is not an ISO 4217 code`);
  if (b.amountMinor !== undefined && typeof b.amountMinor !== 'string' && typeof b.amountMinor !== 'number') throw new ConfirmationError('amountMinor must be a whole number of minor units');
  const c: Confirmation = { session: b.session, state: b.state, ref: b.ref, currency: b.currency as string | undefined, amountMinor: b.amountMinor as string | number | undefined };
  if (c.amountMinor !== undefined) {
    try {
      parsePrice(c.currency ?? 'EUR', c.amountMinor);
    } catch (e) {
      throw new ConfirmationError((e as Error).message);
    }
  }
  return c;
}

/** Apply a parsed confirmation through the desk. `signature` makes an exact re-send a replay. */
export async function applyConfirmation(desk: PaymentDesk, c: Confirmation, signature: string | null): Promise<{ result: PaymentEventResult; invoice: StoredInvoice | null }> {
  const inv = await desk.storage.payments.invoice(c.session);
  if (!inv) return { result: 'unknown', invoice: null };
  const priced = Object.keys(inv.prices);
  if (c.currency === undefined && priced.length > 1) throw new ConfirmationError(`the invoice is priced in ${priced.join(' and ')}: say which currency was paid`);
  const currency = c.currency ?? priced[0];
  // No FX: a confirmation in a currency the invoice is not priced in is refused before anything is stored.
  if (!(currency in inv.prices)) throw new ConfirmationError(`the invoice is priced in ${priced.join(', ')}, not ${currency}`);
  return desk.confirm({
    session: c.session, provider: 'manual', ref: c.ref, state: c.state,
    currency, amountMinor: String(c.amountMinor ?? inv.prices[currency]), signature,
  });
}

/** One line for operators: what the confirmation did. */
export function describeResult(result: PaymentEventResult, inv: StoredInvoice | null): string {
  switch (result) {
    case 'applied': return inv?.state === 'consumed' || inv?.state === 'settled' ? `invoice ${inv.session} settled; the grant is applied` : `invoice ${inv?.session} marked ${inv?.state}`;
    case 'duplicate': return 'already recorded (same reference): nothing changed';
    case 'replayed': return 'refused: this exact confirmation was already received (replay)';
    case 'unknown': return 'no such invoice';
    case 'refund': return 'refused: the invoice is expired, cancelled or already paid, or the currency differs; recorded in the refund queue, nothing granted';
    case 'insufficient': return `less than the invoiced amount so far (${inv?.paidMinor} of ${inv?.prices[inv.paidCurrency ?? '']} ${inv?.paidCurrency} minor units); nothing granted yet`;
  }
}
