// Money and payto: integer minor units formatted without floats, ISO 4217 validation, RFC 8905
// target validation (IBAN check digits, UPI VPA, ACH), invoice URIs and the EPC069-12 QR payload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatMinor, parsePrice, MoneyError } from '../../../src/modules/payment/money.ts';
import { epcQr, invoicePayto, parsePayto, PaytoError, validIban } from '../../../src/modules/payment/payto.ts';
import { paymentOptions } from '../../../src/modules/payment/options.ts';

test('minor units are formatted with the currency exponent, never through floats', () => {
  assert.equal(formatMinor(300n, 'EUR'), '3.00');
  assert.equal(formatMinor(5n, 'EUR'), '0.05');
  assert.equal(formatMinor(450n, 'JPY'), '450');
  assert.equal(formatMinor(1234n, 'BHD'), '1.234');
  assert.equal(formatMinor(123456789012345678901n, 'EUR'), '1234567890123456789.01');
  assert.equal(formatMinor(3_000_000n, 'BTC'), '0.00003000000');
  assert.throws(() => formatMinor(1n, 'EUX'), MoneyError);
  assert.throws(() => parsePrice('EUR', 1.5), MoneyError);
  assert.throws(() => parsePrice('EUR', 0), MoneyError);
  assert.deepEqual(parsePrice('INR', '27000'), { currency: 'INR', minor: 27000n });
});

test('payto targets are validated: IBAN check digits, UPI VPA, ACH, no amount or message', () => {
  assert.equal(validIban('DE02200400300200270112'), false);
  assert.equal(validIban('DE89370400440532013000'), true);
  assert.equal(parsePayto('payto://iban/DE89370400440532013000?receiver-name=Example+Ops').receiverName, 'Example Ops');
  assert.equal(parsePayto('payto://iban/COBADEFFXXX/DE89370400440532013000').type, 'iban');
  assert.throws(() => parsePayto('payto://iban/DE89370400440532013001'), /not a valid IBAN/);
  assert.throws(() => parsePayto('https://example.org/pay'), PaytoError);
  assert.throws(() => parsePayto('payto://iban/DE89370400440532013000?amount=EUR:1'), /leave out amount/);
  assert.equal(parsePayto('payto://upi/capulet@examplebank').path, 'capulet@examplebank');
  assert.throws(() => parsePayto('payto://upi/not-a-vpa'), /UPI/);
  assert.equal(parsePayto('payto://ach/122000661/0000000123').type, 'ach');
  assert.throws(() => parsePayto('payto://ach/12/3'), /routing/);
});

test('invoice URIs carry the configured amount and the session as reference; SEPA adds an EPC QR', () => {
  const t = parsePayto('payto://iban/DE89370400440532013000?receiver-name=Example+Ops');
  const session = '0b6c5e2a-1111-4222-8333-444455556666';
  assert.equal(invoicePayto(t, { currency: 'EUR', minor: 300n }, session), `payto://iban/DE89370400440532013000?amount=EUR:3.00&message=${session}&receiver-name=Example+Ops`);
  assert.equal(epcQr(t, { currency: 'EUR', minor: 300n }, session), ['BCD', '002', '1', 'SCT', '', 'Example Ops', 'DE89370400440532013000', 'EUR3.00', '', '', session].join('\n'));
  assert.equal(epcQr(parsePayto('payto://upi/shop@bank'), { currency: 'INR', minor: 27000n }, session), undefined);
});

test('options: a bad payto URI, an unknown currency or an unpayable price are errors naming the key', () => {
  const issues = (o: unknown) => {
    const r = paymentOptions.safeParse(o);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  const ok = { accounts: [{ label: 'SEPA', uri: 'payto://iban/DE89370400440532013000' }], registration_price: { EUR: 500 } };
  assert.deepEqual(issues(ok), []);
  assert.match(issues({ ...ok, accounts: [{ label: 'SEPA', uri: 'payto://iban/DE00000000000000000000' }] }).join(), /accounts\.0\.uri: .*not a valid IBAN/);
  assert.match(issues({ ...ok, registration_price: { EUX: 500 } }).join(), /registration_price\.EUX: "EUX" is not an ISO 4217 currency code/);
  assert.match(issues({ ...ok, registration_price: { USD: 500 } }).join(), /registration_price: no account takes USD/);
  assert.match(issues({ ...ok, accounts: [{ label: 'x', uri: 'payto://iban/DE89370400440532013000', currency: 'XYZ' }] }).join(), /accounts\.0\.currency/);
});
