// PostgreSQL PaymentStore (Payment Required, docs/payment.md): the same tables and rules as
// storage/sqlite/payments.ts; the invoice row lock (FOR UPDATE) orders concurrent events on one
// session across nodes, so a settlement is applied and granted exactly once.
import type { InvoiceState, PaymentEvent, PaymentEventResult, PaymentGrant, PaymentStore, StoredInvoice } from '../types.ts';
import { decideEvent } from '../payments-logic.ts';
import { eventFromRow, invoiceFromRow } from '../sqlite/payments.ts';
import type { Migration } from './migrations.ts';
import type { PgDb } from './pool.ts';

export const paymentMigrations: Migration[] = [
  {
    store: 'payments',
    id: 1,
    name: 'payment invoices, events, grants',
    sql: `CREATE TABLE payment_invoices (
      session TEXT COLLATE "C" PRIMARY KEY,
      service TEXT COLLATE "C" NOT NULL,
      target TEXT COLLATE "C" NOT NULL,
      payer TEXT COLLATE "C" NOT NULL,
      prices TEXT NOT NULL,
      options TEXT NOT NULL,
      grant_data TEXT,
      state TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      expires_at BIGINT NOT NULL,
      settled_at BIGINT,
      reference TEXT,
      paid_minor TEXT NOT NULL DEFAULT '0',
      paid_currency TEXT
    );
    CREATE INDEX payment_invoices_payer ON payment_invoices (payer, service, target, created_at);
    CREATE INDEX payment_invoices_created ON payment_invoices (created_at);
    CREATE TABLE payment_events (
      seq BIGSERIAL PRIMARY KEY,
      provider TEXT COLLATE "C" NOT NULL,
      ref TEXT COLLATE "C" NOT NULL,
      state TEXT NOT NULL,
      session TEXT COLLATE "C" NOT NULL,
      currency TEXT NOT NULL,
      amount_minor TEXT NOT NULL,
      at BIGINT NOT NULL,
      signature TEXT UNIQUE,
      disposition TEXT NOT NULL,
      UNIQUE (provider, ref, state)
    );
    CREATE TABLE payment_grants (
      holder TEXT COLLATE "C" NOT NULL,
      service TEXT COLLATE "C" NOT NULL,
      target TEXT COLLATE "C" NOT NULL,
      session TEXT NOT NULL,
      until BIGINT NOT NULL,
      units BIGINT NOT NULL,
      PRIMARY KEY (holder, service, target)
    );`,
  },
];

export class PgPayments implements PaymentStore {
  constructor(private readonly db: PgDb) {}

  async createInvoice(i: StoredInvoice): Promise<boolean> {
    return (await this.db.run(`INSERT INTO payment_invoices (session, service, target, payer, prices, options, grant_data, state, created_at, expires_at, settled_at, reference, paid_minor, paid_currency)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (session) DO NOTHING`,
    [i.session, i.service, i.target, i.payer, JSON.stringify(i.prices), i.options, i.grant, i.state, i.createdAt, i.expiresAt, i.settledAt, i.reference, i.paidMinor, i.paidCurrency])) > 0;
  }
  async invoice(session: string): Promise<StoredInvoice | null> {
    const r = await this.db.one<Parameters<typeof invoiceFromRow>[0]>('SELECT * FROM payment_invoices WHERE session = $1', [session]);
    return r ? invoiceFromRow(r) : null;
  }
  async openInvoice(payer: string, service: string, target: string, now: number): Promise<StoredInvoice | null> {
    const r = await this.db.one<Parameters<typeof invoiceFromRow>[0]>(`SELECT * FROM payment_invoices WHERE payer = $1 AND service = $2 AND target = $3 AND state IN ('open', 'pending') AND expires_at > $4
      ORDER BY created_at DESC, session DESC LIMIT 1`, [payer, service, target, now]);
    return r ? invoiceFromRow(r) : null;
  }
  async countOpen(payer: string, now: number): Promise<number> {
    return Number(await this.db.value(`SELECT COUNT(*) FROM payment_invoices WHERE payer = $1 AND state IN ('open', 'pending') AND expires_at > $2`, [payer, now]));
  }
  async listInvoices(opts: { state?: InvoiceState; limit?: number } = {}): Promise<StoredInvoice[]> {
    const rows = opts.state
      ? await this.db.rows<Parameters<typeof invoiceFromRow>[0]>('SELECT * FROM payment_invoices WHERE state = $1 ORDER BY created_at DESC, session DESC LIMIT $2', [opts.state, opts.limit ?? 100])
      : await this.db.rows<Parameters<typeof invoiceFromRow>[0]>('SELECT * FROM payment_invoices ORDER BY created_at DESC, session DESC LIMIT $1', [opts.limit ?? 100]);
    return rows.map(invoiceFromRow);
  }
  async recordEvent(e: PaymentEvent): Promise<{ result: PaymentEventResult; invoice: StoredInvoice | null }> {
    return this.db.tx(async (tx) => {
      const row = await tx.one<Parameters<typeof invoiceFromRow>[0]>('SELECT * FROM payment_invoices WHERE session = $1 FOR UPDATE', [e.session]);
      if (!row) return { result: 'unknown' as const, invoice: null };
      const inv = invoiceFromRow(row);
      // Two different sessions could race on one signature or ref: lock on those too.
      if (e.signature !== null) await tx.lock('payment-signature', e.signature);
      await tx.lock('payment-event', e.provider, e.ref, e.state);
      if (e.signature !== null && (await tx.value('SELECT 1 FROM payment_events WHERE signature = $1', [e.signature])) !== undefined) return { result: 'replayed' as const, invoice: inv };
      if ((await tx.value('SELECT 1 FROM payment_events WHERE provider = $1 AND ref = $2 AND state = $3', [e.provider, e.ref, e.state])) !== undefined) return { result: 'duplicate' as const, invoice: inv };
      const d = decideEvent(inv, e);
      await tx.run('INSERT INTO payment_events (provider, ref, state, session, currency, amount_minor, at, signature, disposition) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
        [e.provider, e.ref, e.state, e.session, e.currency, e.amountMinor, e.at, e.signature, d.result]);
      const next = { ...inv, ...d.update };
      if (d.update) {
        await tx.run('UPDATE payment_invoices SET state = $1, settled_at = $2, reference = $3, paid_minor = $4, paid_currency = $5 WHERE session = $6',
          [next.state, next.settledAt, next.reference, next.paidMinor, next.paidCurrency, inv.session]);
      }
      return { result: d.result, invoice: next };
    });
  }
  async consume(session: string, grant: PaymentGrant | null): Promise<boolean> {
    return this.db.tx(async (tx) => {
      if ((await tx.run(`UPDATE payment_invoices SET state = 'consumed' WHERE session = $1 AND state = 'settled'`, [session])) === 0) return false;
      if (grant) {
        await tx.run(`INSERT INTO payment_grants (holder, service, target, session, until, units) VALUES ($1, $2, $3, $4, $5, $6)
          ON CONFLICT (holder, service, target) DO UPDATE SET session = excluded.session, until = GREATEST(payment_grants.until, excluded.until), units = excluded.units`,
        [grant.holder, grant.service, grant.target, grant.session, grant.until, grant.units]);
      }
      return true;
    });
  }
  async cancel(session: string): Promise<boolean> {
    return (await this.db.run(`UPDATE payment_invoices SET state = 'cancelled' WHERE session = $1 AND state IN ('open', 'pending')`, [session])) > 0;
  }
  async grant(holder: string, service: string, target: string, now: number): Promise<PaymentGrant | null> {
    const r = await this.db.one<PaymentGrant>('SELECT holder, service, target, session, until, units FROM payment_grants WHERE holder = $1 AND service = $2 AND target = $3 AND until > $4', [holder, service, target, now]);
    return r ? { ...r, until: Number(r.until), units: Number(r.units) } : null;
  }
  async grantUnits(holder: string, service: string, now: number): Promise<number> {
    return Number(await this.db.value('SELECT COALESCE(SUM(units), 0) FROM payment_grants WHERE holder = $1 AND service = $2 AND until > $3', [holder, service, now]));
  }
  async refunds(): Promise<PaymentEvent[]> {
    return (await this.db.rows<Parameters<typeof eventFromRow>[0]>(`SELECT * FROM payment_events WHERE disposition = 'refund' ORDER BY seq`)).map(eventFromRow);
  }
  async expire(now: number, purgeBefore: number): Promise<number> {
    return this.db.tx(async (tx) => {
      const a = await tx.run(`UPDATE payment_invoices SET state = 'expired' WHERE state = 'open' AND expires_at <= $1`, [now]);
      const b = await tx.run(`DELETE FROM payment_invoices WHERE state IN ('consumed', 'expired', 'cancelled') AND expires_at < $1`, [purgeBefore]);
      await tx.run('DELETE FROM payment_grants WHERE until <= $1', [now]);
      return a + b;
    });
  }
}
