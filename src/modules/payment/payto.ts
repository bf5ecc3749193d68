// RFC 8905 payto URIs: validation of the payee targets an operator configures (iban, upi, ach and
// other target types) and the invoice URI built from one, with the amount from config and the
// session as the bank reference (specs/payment-required.md "Option types"). Also the EPC069-12
// QR payload for SEPA, built from the same values (render-only, proto-XEP <qr/>).
import { formatMinor, paytoAmount, type Price } from './money.ts';

export interface PaytoTarget {
  /** RFC 8905 target type: iban, upi, ach, ... */
  type: string;
  /** Path after the type, e.g. the IBAN or UPI VPA. */
  path: string;
  /** The configured URI without query (what invoices extend). */
  base: string;
  /** receiver-name from the configured URI, if any. */
  receiverName?: string;
}

export class PaytoError extends Error {}

/** ISO 13616 mod-97 check of an IBAN (spaces removed, upper case). */
export function validIban(iban: string): boolean {
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) return false;
  const moved = iban.slice(4) + iban.slice(0, 4);
  let rem = 0;
  for (const ch of moved) {
    const v = ch >= 'A' ? (ch.charCodeAt(0) - 55).toString() : ch;
    for (const d of v) rem = (rem * 10 + Number(d)) % 97;
  }
  return rem === 1;
}

/** Parse and validate a configured payto URI; throws PaytoError saying what is wrong. */
export function parsePayto(uri: string): PaytoTarget {
  const m = /^payto:\/\/([a-z][a-z0-9-]*)\/([^?#]+)(?:\?([^#]*))?$/i.exec(uri);
  if (!m) throw new PaytoError(`"${uri}" is not a payto URI (RFC 8905: payto://<type>/<target>)`);
  const type = m[1].toLowerCase();
  const path = decodeURIComponent(m[2]);
  const query = new URLSearchParams(m[3] ?? '');
  if (query.has('amount')) throw new PaytoError(`"${uri}": leave out amount= (invoice amounts come from the configured price)`);
  if (query.has('message')) throw new PaytoError(`"${uri}": leave out message= (the invoice session is the payment reference)`);
  switch (type) {
    case 'iban': {
      // RFC 8905 §6: payto://iban/[BIC/]IBAN
      const parts = path.split('/');
      const iban = parts[parts.length - 1].replace(/\s/g, '').toUpperCase();
      if (parts.length > 2 || (parts.length === 2 && !/^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/.test(parts[0].toUpperCase()))) throw new PaytoError(`"${uri}": expected payto://iban/[BIC/]IBAN`);
      if (!validIban(iban)) throw new PaytoError(`"${uri}": "${iban}" is not a valid IBAN (ISO 13616 check digits)`);
      break;
    }
    case 'upi':
      if (!/^[a-z0-9._-]{2,256}@[a-z][a-z0-9.-]{1,64}$/i.test(path)) throw new PaytoError(`"${uri}": "${path}" is not a UPI virtual payment address (name@bank)`);
      break;
    case 'ach':
      if (!/^\d{9}\/\d{1,17}$/.test(path)) throw new PaytoError(`"${uri}": expected payto://ach/<9-digit routing number>/<account number>`);
      break;
    default:
      if (!/^[\w.@:/-]+$/.test(path)) throw new PaytoError(`"${uri}": unexpected characters in the target`);
  }
  const receiverName = query.get('receiver-name') ?? undefined;
  return { type, path, base: `payto://${type}/${m[2]}`, receiverName };
}

/** The invoice URI: the target plus amount (from config), message (the session) and receiver-name. */
export function invoicePayto(t: PaytoTarget, price: Price, session: string): string {
  const q = new URLSearchParams();
  q.set('amount', paytoAmount(price));
  q.set('message', session);
  if (t.receiverName) q.set('receiver-name', t.receiverName);
  // URLSearchParams encodes ':' as %3A; RFC 8905 examples keep it literal, and it is allowed in a query.
  return `${t.base}?${q.toString().replaceAll('%3A', ':')}`;
}

/** EPC069-12 v002 SEPA credit transfer QR payload (the banking-app QR the proto-XEP's <qr/> carries). */
export function epcQr(t: PaytoTarget, price: Price, session: string): string | undefined {
  if (t.type !== 'iban' || price.currency !== 'EUR') return undefined;
  const parts = t.path.split('/');
  const iban = parts[parts.length - 1].replace(/\s/g, '').toUpperCase();
  const bic = parts.length === 2 ? parts[0].toUpperCase() : '';
  return ['BCD', '002', '1', 'SCT', bic, (t.receiverName ?? '').slice(0, 70), iban, `EUR${formatMinor(price.minor, 'EUR')}`, '', '', session.slice(0, 140)].join('\n');
}
