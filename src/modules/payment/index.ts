// Payment Required (proto-XEP urn:xmpp:payment:0, v0.0.2) with the XEP-0158 CAPTCHA alternative.
// Design: shared/specs/payment-required.md; docs/payment.md.
// Config: [modules.payment] accounts (payto URIs), registration_price, rooms, captcha_rooms, captcha_price,
//   invoice_ttl_seconds, max_open_per_payer, keep_consumed_days, webhook_secret,
//   webhook_window_seconds, lenient_iq_payment.
// Features (host, when anything is charged): urn:xmpp:payment:0, #invoice-request, #receipt.
// Iq: get urn:xmpp:payment:0 <get-invoice/> (host); set urn:xmpp:captcha (XEP-0158 answers for captcha_rooms).
// HTTP: POST /_parley/payments/manual (HMAC-signed confirmations; only with webhook_secret).
// Ad-hoc: urn:parley:payments:mark (admins). CLI: parley invoice list|paid (src/cli/invoice.ts).
// Service: payments (gates called by register, muc). Storage: ctx.storage.payments.
import { tryParseJid, type Jid } from '../../jid/index.ts';
import { defineModule } from '../types.ts';
import { markCommand } from './command.ts';
import { PaymentDesk } from './desk.ts';
import { createGates } from './gates.ts';
import { getInvoiceHandler } from './get-invoice.ts';
import { accountCurrency, paymentOptions } from './options.ts';
import { ManualProvider } from './provider.ts';
import { webhookHandler, WEBHOOK_PATH } from './webhook.ts';
import { FEATURES, NS_PAYMENT } from './xml.ts';
import { ArithmeticCaptcha, challengeMessage, NS_CAPTCHA, RoomChallenges } from './room-captcha.ts';
import { captchaAnswerHandler } from './captcha-answer.ts';

export default defineModule({
  name: 'payment',
  description: 'Payment Required (proto-XEP): invoices with payto options for paid registration and paid rooms, operator-confirmed',
  dependencies: ['adhoc'],
  options: paymentOptions,
  start(ctx) {
    const o = ctx.options;
    const provider = new ManualProvider(o.accounts.map((a) => ({ ...a, currency: accountCurrency(a) })), o.invoice_ttl_seconds * 1000);
    const desk = new PaymentDesk(ctx.storage, [provider], { ttlMs: o.invoice_ttl_seconds * 1000, maxOpen: o.max_open_per_payer }, Date.now, ctx.log);
    const admins = new Set(ctx.config.admins.map((a) => tryParseJid(a)?.bare().toString()).filter(Boolean));
    const roomChallenges = new RoomChallenges(o.captcha_rooms, new ArithmeticCaptcha());
    const gates = createGates({
      desk, o, hashes: ctx.config.c2s.scram_hashes, iterations: ctx.config.auth.scram_iterations,
      isServerAdmin: (j: Jid) => admins.has(j.bare().toString()),
      roomChallenges,
      // XEP-0158 §3.1: the challenger is the server's domain (the user's own server), so the answer is an iq to it.
      sendChallenge: (user, room, challenge) => ctx.router.route(challengeMessage({ from: ctx.domains.includes(user.domain) ? user.domain : ctx.domains[0], to: user.toString(), room: room.toString(), challenge, body: `To enter ${room}, answer the question in this message's form.` })),
    });
    ctx.services.provide('payments', gates);
    const charging = !!o.registration_price || o.rooms.length > 0 || !!o.captcha_price;
    if (charging) for (const f of FEATURES) ctx.disco.addFeature(f);
    ctx.iq.handle(NS_PAYMENT, 'get', getInvoiceHandler(gates));
    ctx.iq.handle(NS_CAPTCHA, 'set', captchaAnswerHandler(roomChallenges));
    if (o.webhook_secret) ctx.http.add(WEBHOOK_PATH, webhookHandler(desk, o.webhook_secret, o.webhook_window_seconds, ctx.log));

    const adhoc = ctx.services.get('adhoc');
    const stopCommand = adhoc?.register(markCommand(desk, (requester, domain) => adhoc.isAdmin(requester) && ctx.domains.includes(domain)));
    const keepMs = o.keep_consumed_days * 86_400_000;
    const sweep = () => void desk.sweep(keepMs).catch((err) => ctx.log.warn({ err }, 'payment sweep failed'));
    sweep();
    const timer = setInterval(sweep, 60_000);
    timer.unref();
    return () => {
      clearInterval(timer);
      stopCommand?.();
      if (charging) for (const f of FEATURES) ctx.disco.removeFeature(f);
    };
  },
});
