// parley invoice list|paid: the operator's side of Payment Required (docs/payment.md) against the
// configured storage, so it works while the server runs. `paid` records a settlement exactly as
// the ad-hoc command and the webhook do; the grant (e.g. the reserved account) is applied at once.
import type { Config } from '../config/schema.ts';
import { createStorage } from '../storage/index.ts';
import type { InvoiceState } from '../storage/types.ts';
import { PaymentDesk } from '../modules/payment/desk.ts';
import { applyConfirmation, ConfirmationError, describeResult, parseConfirmation } from '../modules/payment/confirmation.ts';
import { formatMinor } from '../modules/payment/money.ts';

const STATES = ['open', 'pending', 'settled', 'consumed', 'expired', 'cancelled'];

export async function cmdInvoice(config: Config, args: string[], o: { ref?: string; amount?: string; currency?: string; state?: string }): Promise<number> {
  const [sub, session] = args;
  if (sub !== 'list' && sub !== 'paid' && sub !== 'pending') {
    process.stderr.write('usage: parley invoice list [--state S] | paid SESSION [--ref R] [--amount MINOR] [--currency C] | pending SESSION --ref R\n');
    return 2;
  }
  if (sub === 'list' && o.state !== undefined && !STATES.includes(o.state)) {
    process.stderr.write(`error: --state must be one of ${STATES.join(', ')}\n`);
    return 2;
  }
  const storage = await createStorage(config);
  try {
    if (sub === 'list') {
      const rows = await storage.payments.listInvoices({ state: o.state as InvoiceState | undefined, limit: 1000 });
      for (const i of rows) {
        process.stdout.write(`${i.session}  ${i.state.padEnd(9)} ${i.service.padEnd(12)} ${Object.entries(i.prices).map(([c, m]) => `${c} ${formatMinor(BigInt(m), c)}`).join(' | ').padEnd(20)}  expires ${new Date(i.expiresAt).toISOString()}  ${i.target}\n`);
      }
      if (rows.length === 0) process.stdout.write('no invoices\n');
      return 0;
    }
    let c, outcome;
    try {
      // Without --ref the operator's own confirmation gets a reference naming it, so repeating the command is harmless.
      c = parseConfirmation({ session, state: sub === 'paid' ? 'settled' : 'pending', ref: o.ref ?? `cli:${session ?? ''}`, amountMinor: o.amount, currency: o.currency });
      outcome = await applyConfirmation(new PaymentDesk(storage, [], { ttlMs: 0, maxOpen: 0 }), c, null);
    } catch (e) {
      if (e instanceof ConfirmationError) {
        process.stderr.write(`error: ${e.message}\n`);
        return 2;
      }
      throw e;
    }
    const { result, invoice } = outcome;
    const ok = result === 'applied' || result === 'duplicate';
    (ok ? process.stdout : process.stderr).write(`${ok ? '' : 'error: '}${describeResult(result, invoice)}\n`);
    return ok ? 0 : 1;
  } finally {
    await storage.close();
  }
}
