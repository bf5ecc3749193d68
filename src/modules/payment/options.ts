// [modules.payment] options (docs/payment.md). Every price is a table of ISO 4217 code → amount
// in minor units; every payee account a payto URI (RFC 8905), both validated here so that
// `parley check` names the bad key.
import { z } from 'zod';
import { isCurrency } from './money.ts';
import { parsePayto, PaytoError } from './payto.ts';

/** Default currency of a payto target type when the account does not say (SEPA: EUR, UPI: INR, ACH: USD). */
const TYPE_CURRENCY: Record<string, string> = { iban: 'EUR', upi: 'INR', ach: 'USD' };

const price = z.record(z.string(), z.number().int().positive().max(Number.MAX_SAFE_INTEGER))
  .superRefine((p, c) => {
    for (const code of Object.keys(p)) if (!isCurrency(code)) c.addIssue({ code: 'custom', path: [code], message: `"${code}" is not an ISO 4217 currency code (e.g. EUR, USD, INR, JPY)` });
    if (Object.keys(p).length === 0) c.addIssue({ code: 'custom', message: 'a price needs at least one currency' });
  });

const account = z.object({
  label: z.string().min(1).describe('Label of the option in invoices (e.g. "SEPA transfer")'),
  uri: z.string().describe('payto URI of the account (RFC 8905), without amount or message: payto://iban/DE02…?receiver-name=Example+Ops, payto://upi/name@bank'),
  currency: z.string().optional().describe('Currency the account takes; default by type: iban EUR, upi INR, ach USD'),
}).strict().superRefine((a, c) => {
  let type: string;
  try {
    type = parsePayto(a.uri).type;
  } catch (e) {
    if (e instanceof PaytoError) return void c.addIssue({ code: 'custom', path: ['uri'], message: e.message });
    throw e;
  }
  const cur = a.currency ?? TYPE_CURRENCY[type];
  if (!cur) c.addIssue({ code: 'custom', path: ['currency'], message: `say which currency the payto://${type} account takes` });
  else if (!isCurrency(cur)) c.addIssue({ code: 'custom', path: ['currency'], message: `"${cur}" is not an ISO 4217 currency code` });
});

export const accountCurrency = (a: { uri: string; currency?: string }) => a.currency ?? TYPE_CURRENCY[parsePayto(a.uri).type];

export const paymentOptions = z.object({
  accounts: z.array(account).default([]).describe('Payee accounts offered as invoice options (manual provider: an operator confirms payments)'),
  registration_price: price.optional().describe('Price of an in-band registration per currency in minor units, e.g. { EUR = 500 }; unset: registration is free'),
  rooms: z.array(z.object({
    room: z.string().min(3).describe('Bare JID of the paid room'),
    price: price.describe('Entry fee per currency in minor units'),
    period_days: z.number().int().min(1).max(3660).default(30).describe('How long one payment admits the payer'),
  }).strict()).default([]).describe('Paid MUC rooms (owners, admins and server admins enter free)'),
  captcha_rooms: z.array(z.string().min(3)).default([]).describe('Bare JIDs of MUC rooms whose entry needs a solved XEP-0158 challenge (arithmetic question, valid an hour)'),
  captcha_price: price.optional().describe('Offer payment of this price as an alternative to the registration CAPTCHA (XEP-0158 + Payment Required); unset: off'),
  invoice_ttl_seconds: z.number().int().min(1).max(30 * 86_400).default(3 * 86_400).describe('Lifetime of an invoice with bank-transfer options (payment must be detected before it)'),
  max_open_per_payer: z.number().int().min(1).max(100).default(5).describe('Open invoices one payer may hold; more is resource-constraint'),
  keep_consumed_days: z.number().int().min(1).default(30).describe('Days a consumed or expired invoice is remembered after its expiry (replay refusal)'),
  webhook_secret: z.string().min(32).optional().describe('HMAC-SHA256 key of POST /_parley/payments/manual (at least 32 characters); unset: webhook off'),
  webhook_window_seconds: z.number().int().min(10).max(3600).default(300).describe('Accepted clock skew of a webhook timestamp, seconds'),
  lenient_iq_payment: z.boolean().default(true).describe('Also accept <payment/> as a second child of an IQ (RFC 6120 allows one; Parley expects it inside the payload)'),
}).strict().superRefine((o, c) => {
  // An option is only offered in the gate's own currency (no FX): a price nobody can pay is a config error.
  const offered = new Set(o.accounts.flatMap((a) => { try { return [accountCurrency(a)]; } catch { return []; } }));
  const check = (p: Record<string, number> | undefined, path: (string | number)[]) => {
    if (p && o.accounts.length > 0 && !Object.keys(p).some((cur) => offered.has(cur))) c.addIssue({ code: 'custom', path, message: `no account takes ${Object.keys(p).join(' or ')}; add one or price it in ${[...offered].join(', ')}` });
    if (p && o.accounts.length === 0) c.addIssue({ code: 'custom', path, message: 'a price needs at least one account in modules.payment.accounts' });
  };
  check(o.registration_price, ['registration_price']);
  check(o.captcha_price, ['captcha_price']);
  o.rooms.forEach((r, i) => check(r.price, ['rooms', i, 'price']));
});

export type PaymentOptions = z.infer<typeof paymentOptions>;
