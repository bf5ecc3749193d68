// The gates: paid in-band registration, paid room entry and the payment alternative to a CAPTCHA
// (specs/payment-required.md "IBR with payment", "Core rule", "XEP-0158 integration"). Each reads
// the client's <payment/> claim, answers with the right proto-XEP error, and grants only what a
// settled invoice bound to the same (service, target, payer) paid for.
import { timingSafeEqual } from 'node:crypto';
import { deriveScramCredentials, type ScramHash } from '../../sasl/index.ts';
import type { Jid } from '../../jid/index.ts';
import type { PaymentsService } from '../../core/services.ts';
import type { StoredInvoice } from '../../storage/types.ts';
import { StanzaError } from '../../stanza/errors.ts';
import type { Element } from '../../xml/element.ts';
import type { PaymentDesk, RegistrationGrant } from './desk.ts';
import { describePrice, parsePrice } from './money.ts';
import type { PaymentOptions } from './options.ts';
import type { Challenge, RoomChallenges } from './room-captcha.ts';
import { invoiceElement, NS_PAYMENT, parsePayment, paymentPending, paymentRejected, paymentRequired, receiptElement, type PaymentClaim } from './xml.ts';

const RETRY_AFTER_S = 600;
const DAY = 86_400_000;

export interface GateDeps {
  desk: PaymentDesk;
  o: PaymentOptions;
  hashes: ScramHash[];
  iterations: number;
  isServerAdmin(j: Jid): boolean;
  /** Rooms that require a XEP-0158 challenge, and how the challenge message is sent. */
  roomChallenges: RoomChallenges;
  sendChallenge(user: Jid, room: Jid, c: Challenge): Promise<void>;
}

function priceText(prices: Record<string, number>): string {
  return Object.entries(prices).map(([c, m]) => describePrice(parsePrice(c, m))).join(' or ');
}

export function createGates(d: GateDeps): PaymentsService {
  const { desk, o } = d;
  const rooms = new Map(o.rooms.map((r) => [r.room.toLowerCase(), r]));
  const invoiceOf = (inv: StoredInvoice) => invoiceElement(desk.view(inv));
  const receiptOf = (inv: StoredInvoice) => receiptElement(inv.session, inv.reference, inv.settledAt);

  /** A claim on a session for (service, target, payer): the invoice, or the matching error. */
  async function claimed(claim: PaymentClaim, service: string, target: string, payer: string): Promise<StoredInvoice> {
    const inv = await desk.storage.payments.invoice(claim.session);
    // Specs: sessions are bound to service, target and payer; anything else is invalid-session.
    if (!inv || inv.service !== service || inv.target !== target || inv.payer !== payer) throw paymentRejected('invalid-session', 'This payment session is not valid here');
    if (inv.state === 'consumed' || inv.state === 'cancelled') throw paymentRejected('invalid-session', 'This payment session was already used');
    return inv;
  }

  /** Settled → apply; pending → wait; still unpaid → the same invoice again (reason payment-required). */
  async function settleOrDecline(inv: StoredInvoice, claim: PaymentClaim, text: string): Promise<StoredInvoice> {
    const provider = desk.providers.find((p) => JSON.parse(inv.options).options.some((x: { provider: string }) => x.provider === p.id));
    const verdict = provider ? await provider.verify(inv, claim.proof) : 'unpaid';
    if (verdict === 'settled') return inv;
    if (verdict === 'pending') throw paymentPending(RETRY_AFTER_S);
    if (verdict === 'insufficient') throw paymentRejected('payment-insufficient', 'Less than the invoiced amount has arrived', invoiceOf(inv));
    if (verdict === 'invalid') throw paymentRejected('verification-failed', 'The proof of payment does not verify');
    throw paymentRequired(text, invoiceOf(inv), true);
  }

  return {
    charges(service, target) {
      if (service === 'registration') return !!o.registration_price;
      return rooms.has(target.toLowerCase());
    },

    async register({ username, domain, password, iq, query }) {
      const payment = iqPayment(iq, query, o.lenient_iq_payment);
      const prices = o.registration_price!;
      const payer = `${username}@${domain}`;
      const text = `Registration fee: ${priceText(prices)}`;
      if (payment) {
        const claim = parsePayment(payment);
        let inv = await claimed(claim, 'registration', payer, payer);
        if (!(await sameAccountPassword(inv, password))) throw paymentRejected('invalid-session', 'This payment session is not valid here');
        if (desk.isExpired(inv)) throw paymentRejected('payment-expired', 'The invoice has expired; pay this new one', invoiceOf(await freshRegistration()));
        inv = await settleOrDecline(inv, claim, text);
        await desk.applySettlement(inv);
        return receiptOf(inv);
      }
      const open = await desk.storage.payments.openInvoice(payer, 'registration', payer, desk.now());
      // The name is reserved for whoever holds the open invoice: same password re-sends it, another one is a conflict.
      if (open && !(await sameAccountPassword(open, password))) throw new StanzaError('conflict', 'This username is reserved pending payment');
      throw paymentRequired(text, invoiceOf(open ?? await freshRegistration()));

      async function freshRegistration(): Promise<StoredInvoice> {
        const credentials: RegistrationGrant['credentials'] = {};
        for (const h of d.hashes) credentials[h] = await deriveScramCredentials(password, h, d.iterations);
        const grant: RegistrationGrant = { kind: 'registration', username, domain, credentials };
        return (await desk.issue({ service: 'registration', target: payer, payer, prices, purpose: `Account registration (${payer})`, grant })).invoice;
      }
    },

    async enterRoom({ room, user, affiliation, payment }) {
      if (affiliation === 'owner' || affiliation === 'admin' || d.isServerAdmin(user)) return null;
      // XEP-0158: a room that requires a challenge sends one and refuses the join until it is solved.
      const rc = d.roomChallenges;
      if (rc.required(room.toString()) && !rc.passed(user.bare().toString(), room.toString())) {
        await d.sendChallenge(user, room, rc.create(user.bare().toString(), room.toString()));
        throw new StanzaError('not-authorized', 'Answer the CAPTCHA sent to you, then join again', 'auth');
      }
      const paid = rooms.get(room.toString().toLowerCase());
      if (!paid) return null;
      const payer = user.bare().toString();
      const target = room.toString();
      const now = desk.now();
      // Specs: <payment/> on a stanza whose grant already exists is ignored.
      if (await desk.storage.payments.grant(payer, 'muc-entry', target, now)) return null;
      const text = `Entry fee: ${priceText(paid.price)} / ${paid.period_days} days`;
      const fresh = async () => (await desk.issue({ service: 'muc-entry', target, payer, prices: paid.price, purpose: `Room entry (${paid.period_days} days)`, grant: { kind: 'muc-entry', periodMs: paid.period_days * DAY } })).invoice;
      if (payment) {
        const claim = parsePayment(payment);
        let inv = await claimed(claim, 'muc-entry', target, payer);
        if (desk.isExpired(inv)) throw paymentRejected('payment-expired', 'The invoice has expired; pay this new one', invoiceOf(await fresh()));
        inv = await settleOrDecline(inv, claim, text);
        await desk.applySettlement(inv);
        return receiptOf(inv);
      }
      throw paymentRequired(text, invoiceOf(await fresh()));
    },

    async captchaAlternative(challenge, _domain) {
      if (!o.captcha_price) return null;
      const target = `challenge:${challenge}`;
      const { invoice } = await desk.issue({ service: 'captcha', target, payer: target, prices: o.captcha_price, purpose: 'Registration without a CAPTCHA' });
      return { fieldVar: NS_PAYMENT, label: 'Or pay the fee (see the invoice), then enter the session ID here', invoice: invoiceOf(invoice) };
    },

    async redeemCaptchaAlternative(challenge, session) {
      const target = `challenge:${challenge}`;
      const inv = await claimed({ session }, 'captcha', target, target);
      if (desk.isExpired(inv)) throw paymentRejected('payment-expired', 'The invoice has expired; ask for a new form');
      if (inv.state === 'pending') throw paymentPending(RETRY_AFTER_S);
      if (inv.state !== 'settled') throw paymentRejected('verification-failed', 'This invoice is not paid yet');
      // Single use: consumed by this form.
      if (!(await desk.storage.payments.consume(inv.session, null))) throw paymentRejected('invalid-session', 'This payment session was already used');
    },
  };

  /** Whether `password` matches the SCRAM keys reserved with the registration invoice. */
  async function sameAccountPassword(inv: StoredInvoice, password: string): Promise<boolean> {
    if (!inv.grant) return false;
    const g = JSON.parse(inv.grant) as RegistrationGrant;
    const stored = Object.values(g.credentials)[0];
    if (!stored) return false;
    const check = await deriveScramCredentials(password, stored.hash, stored.iterations, Buffer.from(stored.salt, 'base64'));
    const a = Buffer.from(check.storedKey, 'base64');
    const b = Buffer.from(stored.storedKey, 'base64');
    return a.length === b.length && timingSafeEqual(a, b);
  }
}

/**
 * The <payment/> of an IQ: inside the payload (RFC 6120 allows one IQ child); as a second child
 * only in lenient mode, else bad-request (specs "Payer's retry").
 */
export function iqPayment(iq: Element, payload: Element, lenient: boolean): Element | undefined {
  const inside = payload.getChild('payment', NS_PAYMENT);
  if (inside) return inside;
  const beside = iq.getChild('payment', NS_PAYMENT);
  if (beside && !lenient) throw new StanzaError('bad-request', 'Put <payment/> inside the query (an IQ has one child)');
  return beside;
}
