// SQLite PaymentStore (Payment Required, docs/payment.md): invoices, provider events (idempotent on
// provider+ref+state, replay-refused on the signed request's digest), the refund queue and grants.
// Not per-user tables: invoices and the refund queue are the operator's books and outlive accounts.
import type { InvoiceState, PaymentEvent, PaymentEventResult, PaymentGrant, PaymentStore, StoredInvoice } from '../types.ts';
import { decideEvent } from '../payments-logic.ts';
import type { Db } from './db.ts';
import type { Migration } from './migrations.ts';

export const paymentMigrations: Migration[] = [
  {
    store: 'payments',
    id: 1,
    name: 'payment invoices, events, grants',
    sql: `CREATE TABLE payment_invoices (
      session TEXT PRIMARY KEY,
      service TEXT NOT NULL,
      target TEXT NOT NULL,
      payer TEXT NOT NULL,
      prices TEXT NOT NULL,
      options TEXT NOT NULL,
      grant_data TEXT,
      state TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      settled_at INTEGER,
      reference TEXT,
      paid_minor TEXT NOT NULL DEFAULT '0',
      paid_currency TEXT
    );
    CREATE INDEX payment_invoices_payer ON payment_invoices (payer, service, target, created_at);
    CREATE INDEX payment_invoices_created ON payment_invoices (created_at);
    CREATE TABLE payment_events (
      provider TEXT NOT NULL,
      ref TEXT NOT NULL,
      state TEXT NOT NULL,
      session TEXT NOT NULL,
      currency TEXT NOT NULL,
      amount_minor TEXT NOT NULL,
      at INTEGER NOT NULL,
      signature TEXT UNIQUE,
      disposition TEXT NOT NULL,
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      UNIQUE (provider, ref, state)
    );
    CREATE TABLE payment_grants (
      holder TEXT NOT NULL,
      service TEXT NOT NULL,
      target TEXT NOT NULL,
      session TEXT NOT NULL,
      until INTEGER NOT NULL,
      units INTEGER NOT NULL,
      PRIMARY KEY (holder, service, target)
    );`,
  },
];

export interface InvoiceRow {
  session: string; service: string; target: string; payer: string; prices: string; options: string;
  grant_data: string | null; state: InvoiceState; created_at: number; expires_at: number; settled_at: number | null; reference: string | null; paid_minor: string; paid_currency: string | null;
}

export const invoiceFromRow = (r: InvoiceRow): StoredInvoice => ({
  session: r.session, service: r.service, target: r.target, payer: r.payer, prices: JSON.parse(r.prices) as Record<string, string>,
  options: r.options, grant: r.grant_data, state: r.state, createdAt: Number(r.created_at), expiresAt: Number(r.expires_at),
  settledAt: r.settled_at === null ? null : Number(r.settled_at), reference: r.reference, paidMinor: r.paid_minor, paidCurrency: r.paid_currency,
});

export interface EventRow { provider: string; ref: string; state: 'pending' | 'settled'; session: string; currency: string; amount_minor: string; at: number; signature: string | null }
export const eventFromRow = (r: EventRow): PaymentEvent => ({
  provider: r.provider, ref: r.ref, state: r.state, session: r.session, currency: r.currency, amountMinor: r.amount_minor, at: Number(r.at), signature: r.signature,
});

export class SqlitePayments implements PaymentStore {
  constructor(private readonly db: Db) {}

  async createInvoice(i: StoredInvoice): Promise<boolean> {
    return this.db.prepare(`INSERT INTO payment_invoices (session, service, target, payer, prices, options, grant_data, state, created_at, expires_at, settled_at, reference, paid_minor, paid_currency)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (session) DO NOTHING`)
      .run(i.session, i.service, i.target, i.payer, JSON.stringify(i.prices), i.options, i.grant, i.state, i.createdAt, i.expiresAt, i.settledAt, i.reference, i.paidMinor, i.paidCurrency).changes > 0;
  }
  async invoice(session: string): Promise<StoredInvoice | null> {
    const r = this.db.prepare('SELECT * FROM payment_invoices WHERE session = ?').get(session) as InvoiceRow | undefined;
    return r ? invoiceFromRow(r) : null;
  }
  async openInvoice(payer: string, service: string, target: string, now: number): Promise<StoredInvoice | null> {
    const r = this.db.prepare(`SELECT * FROM payment_invoices WHERE payer = ? AND service = ? AND target = ? AND state IN ('open', 'pending') AND expires_at > ?
      ORDER BY created_at DESC, session DESC LIMIT 1`).get(payer, service, target, now) as InvoiceRow | undefined;
    return r ? invoiceFromRow(r) : null;
  }
  async countOpen(payer: string, now: number): Promise<number> {
    return this.db.prepare(`SELECT COUNT(*) FROM payment_invoices WHERE payer = ? AND state IN ('open', 'pending') AND expires_at > ?`).pluck().get(payer, now) as number;
  }
  async listInvoices(opts: { state?: InvoiceState; limit?: number } = {}): Promise<StoredInvoice[]> {
    const rows = (opts.state
      ? this.db.prepare('SELECT * FROM payment_invoices WHERE state = ? ORDER BY created_at DESC, session DESC LIMIT ?').all(opts.state, opts.limit ?? 100)
      : this.db.prepare('SELECT * FROM payment_invoices ORDER BY created_at DESC, session DESC LIMIT ?').all(opts.limit ?? 100)) as InvoiceRow[];
    return rows.map(invoiceFromRow);
  }
  async recordEvent(e: PaymentEvent): Promise<{ result: PaymentEventResult; invoice: StoredInvoice | null }> {
    const tx = this.db.transaction((): { result: PaymentEventResult; invoice: StoredInvoice | null } => {
      const row = this.db.prepare('SELECT * FROM payment_invoices WHERE session = ?').get(e.session) as InvoiceRow | undefined;
      if (!row) return { result: 'unknown', invoice: null };
      const inv = invoiceFromRow(row);
      if (e.signature !== null && this.db.prepare('SELECT 1 FROM payment_events WHERE signature = ?').get(e.signature)) return { result: 'replayed', invoice: inv };
      if (this.db.prepare('SELECT 1 FROM payment_events WHERE provider = ? AND ref = ? AND state = ?').get(e.provider, e.ref, e.state)) return { result: 'duplicate', invoice: inv };
      const d = decideEvent(inv, e);
      this.db.prepare('INSERT INTO payment_events (provider, ref, state, session, currency, amount_minor, at, signature, disposition) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(e.provider, e.ref, e.state, e.session, e.currency, e.amountMinor, e.at, e.signature, d.result);
      const next = { ...inv, ...d.update };
      if (d.update) {
        this.db.prepare('UPDATE payment_invoices SET state = ?, settled_at = ?, reference = ?, paid_minor = ?, paid_currency = ? WHERE session = ?')
          .run(next.state, next.settledAt, next.reference, next.paidMinor, next.paidCurrency, inv.session);
      }
      return { result: d.result, invoice: next };
    });
    return tx.immediate();
  }
  async consume(session: string, grant: PaymentGrant | null): Promise<boolean> {
    const tx = this.db.transaction(() => {
      if (this.db.prepare(`UPDATE payment_invoices SET state = 'consumed' WHERE session = ? AND state = 'settled'`).run(session).changes === 0) return false;
      if (grant) {
        this.db.prepare(`INSERT INTO payment_grants (holder, service, target, session, until, units) VALUES (?, ?, ?, ?, ?, ?)
          ON CONFLICT (holder, service, target) DO UPDATE SET session = excluded.session, until = MAX(until, excluded.until), units = excluded.units`)
          .run(grant.holder, grant.service, grant.target, grant.session, grant.until, grant.units);
      }
      return true;
    });
    return tx.immediate();
  }
  async cancel(session: string): Promise<boolean> {
    return this.db.prepare(`UPDATE payment_invoices SET state = 'cancelled' WHERE session = ? AND state IN ('open', 'pending')`).run(session).changes > 0;
  }
  async grant(holder: string, service: string, target: string, now: number): Promise<PaymentGrant | null> {
    const r = this.db.prepare('SELECT * FROM payment_grants WHERE holder = ? AND service = ? AND target = ? AND until > ?').get(holder, service, target, now) as PaymentGrant | undefined;
    return r ? { ...r, until: Number(r.until), units: Number(r.units) } : null;
  }
  async grantUnits(holder: string, service: string, now: number): Promise<number> {
    return Number(this.db.prepare('SELECT COALESCE(SUM(units), 0) FROM payment_grants WHERE holder = ? AND service = ? AND until > ?').pluck().get(holder, service, now));
  }
  async refunds(): Promise<PaymentEvent[]> {
    return (this.db.prepare(`SELECT * FROM payment_events WHERE disposition = 'refund' ORDER BY seq`).all() as EventRow[]).map(eventFromRow);
  }
  async expire(now: number, purgeBefore: number): Promise<number> {
    const tx = this.db.transaction(() => {
      const a = this.db.prepare(`UPDATE payment_invoices SET state = 'expired' WHERE state = 'open' AND expires_at <= ?`).run(now).changes;
      const b = this.db.prepare(`DELETE FROM payment_invoices WHERE state IN ('consumed', 'expired', 'cancelled') AND expires_at < ?`).run(purgeBefore).changes;
      this.db.prepare('DELETE FROM payment_grants WHERE until <= ?').run(now);
      return a + b;
    });
    return tx.immediate();
  }
}
