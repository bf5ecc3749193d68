// Money as Parley handles it (specs/payment-required.md "Money model"): a price is an ISO 4217
// currency code with an integer amount in minor units (bigint), never a float. Amounts in payment
// URIs are produced from it by integer-to-decimal formatting.

/** ISO 4217 codes Parley accepts, with their minor-unit exponent; BTC counts millisatoshi (exponent 11). */
const EXPONENT: Record<string, number> = {
  AED: 2, ARS: 2, AUD: 2, BGN: 2, BHD: 3, BRL: 2, CAD: 2, CHF: 2, CLP: 0, CNY: 2, COP: 2, CZK: 2, DKK: 2,
  EGP: 2, EUR: 2, GBP: 2, HKD: 2, HUF: 2, IDR: 2, ILS: 2, INR: 2, ISK: 0, JOD: 3, JPY: 0, KES: 2, KRW: 0,
  KWD: 3, MAD: 2, MXN: 2, MYR: 2, NGN: 2, NOK: 2, NZD: 2, OMR: 3, PEN: 2, PHP: 2, PKR: 2, PLN: 2, QAR: 2,
  RON: 2, RSD: 2, SAR: 2, SEK: 2, SGD: 2, THB: 2, TND: 3, TRY: 2, TWD: 2, UAH: 2, USD: 2, UYU: 2, VND: 0,
  XAF: 0, XOF: 0, ZAR: 2,
  BTC: 11,
};

export interface Price {
  currency: string;
  minor: bigint;
}

export class MoneyError extends Error {}

export function isCurrency(code: string): boolean {
  return Object.hasOwn(EXPONENT, code);
}

export function exponentOf(currency: string): number {
  if (!isCurrency(currency)) throw new MoneyError(`"${currency}" is not an ISO 4217 currency code Parley knows (e.g. EUR, USD, INR, JPY)`);
  return EXPONENT[currency];
}

/** Minor units as a decimal string with the currency's exponent: (300n, EUR) -> "3.00", (450n, JPY) -> "450". */
export function formatMinor(minor: bigint, currency: string): string {
  const e = exponentOf(currency);
  if (minor < 0n) throw new MoneyError('amounts are never negative');
  const s = minor.toString().padStart(e + 1, '0');
  return e === 0 ? s : `${s.slice(0, -e)}.${s.slice(-e)}`;
}

/** RFC 8905 "amount" value: CURRENCY:decimal. */
export const paytoAmount = (p: Price) => `${p.currency}:${formatMinor(p.minor, p.currency)}`;

/** A price from config or a webhook: minor units as an integer (number, bigint or digit string). */
export function parsePrice(currency: string, minor: unknown): Price {
  exponentOf(currency);
  let n: bigint;
  if (typeof minor === 'bigint') n = minor;
  else if (typeof minor === 'number' && Number.isSafeInteger(minor)) n = BigInt(minor);
  else if (typeof minor === 'string' && /^\d{1,30}$/.test(minor)) n = BigInt(minor);
  else throw new MoneyError(`amount must be a whole number of minor units, got ${JSON.stringify(minor)}`);
  if (n <= 0n) throw new MoneyError('amount must be positive');
  return { currency, minor: n };
}

export const describePrice = (p: Price) => `${p.currency} ${formatMinor(p.minor, p.currency)}`;
