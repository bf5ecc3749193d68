// PaymentStore contract (Payment Required, docs/payment.md): invoices, forward-only events that are
// idempotent on (provider, ref, state) and refuse an exact signed replay, expiry, the refund queue,
// and consume-with-grant as one step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contract, withStorage } from './drivers.ts';
import type { PaymentEvent, StoredInvoice } from '../../../src/storage/types.ts';

const inv = (session: string, o: Partial<StoredInvoice> = {}): StoredInvoice => ({
  session, service: 'muc-entry', target: 'vip@rooms.example', payer: 'ann@example', prices: { EUR: '300', INR: '27000' },
  options: '{"purpose":"p","options":[]}', grant: null, state: 'open', createdAt: 1000, expiresAt: 10_000, settledAt: null, reference: null, paidMinor: '0', paidCurrency: null, ...o,
});
const ev = (session: string, o: Partial<PaymentEvent> = {}): PaymentEvent => ({
  session, provider: 'manual', ref: 'E2E1', state: 'settled', currency: 'EUR', amountMinor: '300', at: 2000, signature: null, ...o,
});

contract('payment store', (open) => {
  test('an invoice is stored durably once; the open one for (payer, service, target) is found until it expires', () =>
    withStorage(open, async (s, o) => {
      assert.equal(await s.payments.createInvoice(inv('s1')), true);
      assert.equal(await s.payments.createInvoice(inv('s1', { payer: 'other@example' })), false, 'same session twice');
      const again = await o.reopen();
      assert.deepEqual(await again.payments.invoice('s1'), inv('s1'));
      assert.equal((await s.payments.openInvoice('ann@example', 'muc-entry', 'vip@rooms.example', 5000))?.session, 's1');
      assert.equal(await s.payments.openInvoice('ann@example', 'muc-entry', 'vip@rooms.example', 10_000), null, 'expired at expiresAt');
      assert.equal(await s.payments.openInvoice('bob@example', 'muc-entry', 'vip@rooms.example', 5000), null);
      assert.equal(await s.payments.countOpen('ann@example', 5000), 1);
      assert.equal(await s.payments.invoice('nope'), null);
    }));

  test('settlement: applied once, duplicate ref changes nothing, replayed signature refused, consume grants once', () =>
    withStorage(open, async (s) => {
      await s.payments.createInvoice(inv('s2'));
      const a = await s.payments.recordEvent(ev('s2', { signature: 'sig-1' }));
      assert.equal(a.result, 'applied');
      assert.equal(a.invoice?.state, 'settled');
      assert.equal(a.invoice?.reference, 'E2E1');
      assert.equal((await s.payments.recordEvent(ev('s2', { signature: 'sig-1' }))).result, 'replayed');
      assert.equal((await s.payments.recordEvent(ev('s2', { signature: 'sig-2' }))).result, 'duplicate');
      // A second, different payment for a settled invoice goes to refunds.
      assert.equal((await s.payments.recordEvent(ev('s2', { ref: 'E2E2' }))).result, 'refund');
      const grant = { holder: 'ann@example', service: 'muc-entry', target: 'vip@rooms.example', session: 's2', until: 50_000, units: 0 };
      assert.equal(await s.payments.consume('s2', grant), true);
      assert.equal(await s.payments.consume('s2', grant), false, 'consumed once');
      assert.equal((await s.payments.invoice('s2'))?.state, 'consumed');
      assert.deepEqual(await s.payments.grant('ann@example', 'muc-entry', 'vip@rooms.example', 40_000), grant);
      assert.equal(await s.payments.grant('ann@example', 'muc-entry', 'vip@rooms.example', 50_000), null);
      assert.deepEqual((await s.payments.refunds()).map((r) => r.ref), ['E2E2']);
    }));

  test('underpayment accumulates; pending moves forward; wrong currency and late money go to refunds', () =>
    withStorage(open, async (s) => {
      await s.payments.createInvoice(inv('s3'));
      const part = await s.payments.recordEvent(ev('s3', { ref: 'p1', amountMinor: '250' }));
      assert.deepEqual([part.result, part.invoice?.state, part.invoice?.paidMinor], ['insufficient', 'open', '250']);
      assert.equal((await s.payments.recordEvent(ev('s3', { ref: 'p2', state: 'pending', amountMinor: '50' }))).invoice?.state, 'pending');
      const rest = await s.payments.recordEvent(ev('s3', { ref: 'p2', amountMinor: '50' }));
      assert.deepEqual([rest.result, rest.invoice?.state, rest.invoice?.paidMinor], ['applied', 'settled', '300']);

      await s.payments.createInvoice(inv('s4'));
      assert.equal((await s.payments.recordEvent(ev('s4', { currency: 'USD' }))).result, 'refund');
      // Priced in INR too: the INR amount settles on its own.
      await s.payments.createInvoice(inv('s5'));
      assert.equal((await s.payments.recordEvent(ev('s5', { ref: 'upi1', currency: 'INR', amountMinor: '27000' }))).invoice?.state, 'settled');
      assert.equal((await s.payments.invoice('s4'))?.state, 'open', 'wrong currency settles nothing');
      const late = await s.payments.recordEvent(ev('s4', { ref: 'late', at: 10_000 }));
      assert.deepEqual([late.result, late.invoice?.state], ['refund', 'expired']);
      assert.equal((await s.payments.recordEvent(ev('nope'))).result, 'unknown');
      assert.equal(await s.payments.consume('s4', null), false);
      assert.deepEqual((await s.payments.refunds()).map((r) => r.ref), ['E2E1', 'late']);
    }));

  test('expire turns open invoices past expiry into expired (pending stay), purges old ones, cancel stops an open one', () =>
    withStorage(open, async (s) => {
      await s.payments.createInvoice(inv('a'));
      await s.payments.createInvoice(inv('b', { payer: 'bob@example' }));
      await s.payments.createInvoice(inv('c', { payer: 'cy@example', expiresAt: 100_000 }));
      await s.payments.recordEvent(ev('b', { state: 'pending' }));
      assert.equal(await s.payments.cancel('c'), true);
      assert.equal(await s.payments.cancel('c'), false);
      assert.equal(await s.payments.expire(10_000, 0), 1);
      assert.deepEqual([(await s.payments.invoice('a'))?.state, (await s.payments.invoice('b'))?.state], ['expired', 'pending']);
      assert.equal(await s.payments.expire(10_001, 20_000), 1, 'the expired invoice is purged after the keep window');
      assert.equal(await s.payments.invoice('a'), null);
      assert.deepEqual((await s.payments.listInvoices()).map((i) => i.session).sort(), ['b', 'c']);
      assert.deepEqual((await s.payments.listInvoices({ state: 'cancelled' })).map((i) => i.session), ['c']);
    }));

  test('grant units add up per holder and service', () =>
    withStorage(open, async (s) => {
      for (const [id, target, units] of [['u1', 'pack-a', 1000], ['u2', 'pack-b', 500]] as const) {
        await s.payments.createInvoice(inv(id, { service: 'file-upload', target }));
        await s.payments.recordEvent(ev(id, { ref: id }));
        await s.payments.consume(id, { holder: 'ann@example', service: 'file-upload', target, session: id, until: 9000, units });
      }
      assert.equal(await s.payments.grantUnits('ann@example', 'file-upload', 5000), 1500);
      assert.equal(await s.payments.grantUnits('ann@example', 'file-upload', 9000), 0);
    }));
});
