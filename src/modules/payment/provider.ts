// The payment-provider interface (specs/payment-required.md "Provider interface") and the built-in
// manual provider: payto options from configured accounts; an invoice stays unpaid until an
// operator confirms the money arrived (ad-hoc command, `parley invoice paid`, or the signed
// webhook), which records a provider event. There is no "always paid" provider, in tests either.
import type { StoredInvoice } from '../../storage/types.ts';
import type { Price } from './money.ts';
import { epcQr, invoicePayto, parsePayto, type PaytoTarget } from './payto.ts';

export interface InvoiceCtx {
  session: string;
  /** The gate's price in one of the provider's currencies. */
  price: Price;
}

export interface ProviderOption {
  uri: string;
  label: string;
  qr?: string;
  /** Proof type the payer echoes (absent: verified out of band). */
  proof?: string;
  /** The provider's own reference for the option (payment hash, account). */
  ref: string;
  /** How long the option can be paid, ms. */
  ttlMs: number;
}

export type Verdict = 'settled' | 'pending' | 'unpaid' | 'insufficient' | 'invalid';

export interface PaymentProvider {
  readonly id: string;
  /** ISO 4217 codes it can take. */
  readonly currencies: string[];
  /** One option per configured payee in `price.currency`, or none. */
  createOptions(inv: InvoiceCtx): ProviderOption[];
  /** What the provider knows of the invoice, given the payer's proof if any. */
  verify(inv: StoredInvoice, proof?: { type: string; value: string }): Promise<Verdict>;
}

export interface ManualAccount {
  label: string;
  uri: string;
  currency: string;
}

export class ManualProvider implements PaymentProvider {
  readonly id = 'manual';
  private readonly accounts: Array<ManualAccount & { target: PaytoTarget }>;

  constructor(accounts: ManualAccount[], private readonly ttlMs: number) {
    this.accounts = accounts.map((a) => ({ ...a, target: parsePayto(a.uri) }));
  }

  get currencies(): string[] {
    return [...new Set(this.accounts.map((a) => a.currency))];
  }

  createOptions(inv: InvoiceCtx): ProviderOption[] {
    return this.accounts.filter((a) => a.currency === inv.price.currency).map((a) => ({
      uri: invoicePayto(a.target, inv.price, inv.session),
      label: a.label,
      qr: epcQr(a.target, inv.price, inv.session),
      ref: a.target.base,
      ttlMs: this.ttlMs,
    }));
  }

  /** Only an operator's confirmation counts: a payer's 'reference' proof is a hint, never a payment. */
  async verify(inv: StoredInvoice): Promise<Verdict> {
    if (inv.state === 'settled' || inv.state === 'consumed') return 'settled';
    if (inv.state === 'pending') return 'pending';
    if (inv.state === 'open' && inv.paidMinor !== '0') return 'insufficient';
    return 'unpaid';
  }
}
