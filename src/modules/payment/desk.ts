// The invoice desk: issues invoices (re-sending an open one instead of minting another), records
// provider events and applies grants on settlement (specs: "grants happen on settlement, not on
// retry"). Used by the module, the webhook, the ad-hoc command and the CLI (which runs in another
// process against the same storage), so it holds no state of its own beyond its dependencies.
import { randomUUID } from 'node:crypto';
import type { ScramCredentials, ScramHash } from '../../sasl/index.ts';
import type { PaymentEvent, PaymentEventResult, Storage, StoredInvoice } from '../../storage/types.ts';
import { StanzaError } from '../../stanza/errors.ts';
import type { PaymentProvider } from './provider.ts';
import type { InvoiceOption, InvoiceView } from './xml.ts';

export type ChargedService = 'registration' | 'muc-entry' | 'captcha';

export interface IssueRequest {
  service: ChargedService;
  target: string;
  payer: string;
  /** Currency → minor units. */
  prices: Record<string, number>;
  purpose: string;
  /** Grant data kept with the invoice (registration: the reserved account's SCRAM keys). */
  grant?: RegistrationGrant | RoomGrant;
}

export interface RegistrationGrant {
  kind: 'registration';
  username: string;
  domain: string;
  credentials: Partial<Record<ScramHash, ScramCredentials>>;
}

export interface RoomGrant {
  kind: 'muc-entry';
  periodMs: number;
}

export interface StoredOptions {
  purpose: string;
  options: Array<InvoiceOption & { provider: string; ref: string }>;
}

export class PaymentDesk {
  constructor(
    readonly storage: Storage,
    readonly providers: PaymentProvider[],
    private readonly o: { ttlMs: number; maxOpen: number },
    readonly now: () => number = Date.now,
    private readonly log?: { info(o: object, m: string): void; warn(o: object, m: string): void },
  ) {}

  /** The open invoice for (payer, service, target), or a new one with every option payable in a priced currency. */
  async issue(r: IssueRequest): Promise<{ invoice: StoredInvoice; fresh: boolean }> {
    const now = this.now();
    const open = await this.storage.payments.openInvoice(r.payer, r.service, r.target, now);
    if (open) return { invoice: open, fresh: false };
    if ((await this.storage.payments.countOpen(r.payer, now)) >= this.o.maxOpen) throw new StanzaError('resource-constraint', 'Too many unpaid invoices; pay or let one expire first', 'wait');
    const session = randomUUID();
    // Every option in its own currency (no FX): options for each priced currency some provider takes.
    const prices: Record<string, string> = {};
    const opts = [];
    for (const [currency, minor] of Object.entries(r.prices)) {
      const here = this.providers.flatMap((p) => p.createOptions({ session, price: { currency, minor: BigInt(minor) } }).map((o) => ({ ...o, provider: p.id })));
      if (here.length) prices[currency] = String(minor);
      opts.push(...here);
    }
    if (opts.length > 0) {
      const stored: StoredOptions = { purpose: r.purpose, options: opts.map(({ ttlMs: _t, ...o }) => o) };
      const invoice: StoredInvoice = {
        session, service: r.service, target: r.target, payer: r.payer, prices,
        options: JSON.stringify(stored), grant: r.grant ? JSON.stringify(r.grant) : null, state: 'open', createdAt: now,
        // Specs: invoice `expires` = the latest option deadline.
        expiresAt: now + Math.max(...opts.map((o) => o.ttlMs)), settledAt: null, reference: null, paidMinor: '0', paidCurrency: null,
      };
      if (!(await this.storage.payments.createInvoice(invoice))) throw new Error('invoice session collision');
      this.log?.info({ session, service: r.service, target: r.target }, 'invoice issued');
      return { invoice, fresh: true };
    }
    throw new StanzaError('service-unavailable', 'No payment option is configured for this price');
  }

  view(inv: StoredInvoice): InvoiceView {
    const s = JSON.parse(inv.options) as StoredOptions;
    return { session: inv.session, expiresAt: inv.expiresAt, purpose: s.purpose, options: s.options.map(({ label, uri, qr, proof }) => ({ label, uri, qr, proof })) };
  }

  isExpired(inv: StoredInvoice): boolean {
    return inv.state === 'expired' || (inv.state === 'open' && inv.expiresAt <= this.now());
  }

  /** Record a provider's report; on settlement the grant is applied at once (no retry needed). */
  async confirm(e: Omit<PaymentEvent, 'at'> & { at?: number }): Promise<{ result: PaymentEventResult; invoice: StoredInvoice | null }> {
    const r = await this.storage.payments.recordEvent({ ...e, at: e.at ?? this.now() });
    this.log?.info({ session: e.session, provider: e.provider, ref: e.ref, state: e.state, result: r.result }, 'payment event');
    if (r.invoice?.state === 'settled') await this.applySettlement(r.invoice);
    return r;
  }

  /**
   * settled → consumed with the grant. Registration creates the reserved account from the stored
   * SCRAM keys; a room entry becomes a grant until now + period; a CAPTCHA alternative stays
   * settled until the form that names it is submitted. Idempotent.
   */
  async applySettlement(inv: StoredInvoice): Promise<boolean> {
    if (inv.state !== 'settled' || !inv.grant) return false;
    const g = JSON.parse(inv.grant) as RegistrationGrant | RoomGrant;
    if (g.kind === 'registration') {
      const created = await this.storage.accounts.create({ username: g.username, domain: g.domain, credentials: g.credentials, createdAt: this.now() });
      if (!created) this.log?.warn({ session: inv.session, user: `${g.username}@${g.domain}` }, 'paid registration: the account exists already; refund by hand');
      return this.storage.payments.consume(inv.session, null);
    }
    return this.storage.payments.consume(inv.session, { holder: inv.payer, service: inv.service, target: inv.target, session: inv.session, until: this.now() + g.periodMs, units: 0 });
  }

  /** Settlements whose grant was not applied (a crash between the two steps), then expiry. */
  async sweep(keepMs: number): Promise<number> {
    for (const inv of await this.storage.payments.listInvoices({ state: 'settled', limit: 1000 })) await this.applySettlement(inv);
    return this.storage.payments.expire(this.now(), this.now() - keepMs);
  }
}
