// XEP-0077 §3.1 account creation before authentication: the pre-auth iq handler of the client
// stream (src/stream/features.ts). Answers get with the registration fields, set by creating the
// account; rate limits, per-stream limits, quarantine and the credential policy apply.
import type { PreAuthContext } from '../../stream/features.ts';
import { xml, type Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';
import { StanzaError } from '../../stanza/errors.ts';
import { AccountError } from '../../accounts/index.ts';
import { buildForm, field, FormError, formValues, validateSubmission, type DataForm } from '../../forms/index.ts';
import { registerErrorIq, registerResultIq, RegisterError } from './errors.ts';
import { FORM_REGISTER, registrationForm } from './forms.ts';
import { parseRegisterSet } from './request.ts';
import { useInvitation } from './invites.ts';
import { addressKey } from './rate-limit.ts';
import { passwordProblem, usernameProblem } from './policy.ts';
import type { Registrar } from './registrar.ts';

const IQ_COUNT = 'register.iqs';
const REGISTERED = 'register.done';

export async function handlePreAuthRegister(reg: Registrar, iq: Element, query: Element, c: PreAuthContext): Promise<void> {
  const type = iq.attrs.type;
  if (type !== 'get' && type !== 'set') return;
  let reply: Element;
  try {
    const n = ((c.state.get(IQ_COUNT) as number | undefined) ?? 0) + 1;
    c.state.set(IQ_COUNT, n);
    if (n > reg.o.max_iqs_per_stream) throw new StanzaError('resource-constraint', 'Too many registration requests on this connection', 'wait');
    reply = type === 'get' ? await registrationFields(reg, iq, c) : await register(reg, iq, query, c);
  } catch (e) {
    if (!(e instanceof StanzaError)) {
      reg.ctx.log.error({ err: e }, 'in-band registration failed');
      e = new StanzaError('internal-server-error');
    }
    reply = registerErrorIq(iq, e as StanzaError, reg.o.legacy_error_form);
  }
  c.write(reply);
}

/** §3.1 get (before authentication the entity is assumed unregistered). */
async function registrationFields(reg: Registrar, iq: Element, c: PreAuthContext): Promise<Element> {
  const o = reg.o;
  if (o.redirect_url) {
    // §7 redirection: instructions and a XEP-0066 URL only.
    return registerResultIq(iq, xml('query', { xmlns: NS.register },
      xml('instructions', {}, `To register, visit ${o.redirect_url}`),
      xml('x', { xmlns: NS.oob }, xml('url', {}, o.redirect_url))));
  }
  if (!o.enabled) throw new StanzaError('service-unavailable', 'In-band registration is disabled');
  const address = addressKey(c.remoteAddress);
  if (reg.captcha && reg.needsCaptcha(address)) {
    // XEP-0158 §4 / XEP-0077 §6 "x:data form + iq:register instructions": the CAPTCHA is a required
    // field legacy clients cannot fill, so no legacy fields are offered.
    const sid = iq.attrs.id ?? '';
    const challenge = await reg.captcha.create({ address, sid, domain: c.domain });
    // Payment Required (docs/payment.md): paying is offered beside the CAPTCHA, neither required.
    const alt = await reg.ctx.services.get('payments')?.captchaAlternative(challenge.id, c.domain);
    if (alt) challenge.fields = [...challenge.fields.map((f) => ({ ...f, required: false })), field('text-single', alt.fieldVar, { label: alt.label })];
    const form = registrationForm({ instructions: o.instructions, requireEmail: o.require_email, captcha: { ...challenge, sid, answers: alt ? 1 : undefined }, invite: o.invite_only });
    return registerResultIq(iq, xml('query', { xmlns: NS.register }, xml('instructions', {}, o.instructions), buildForm(form), alt?.invoice));
  }
  // Invite-only: the invitation is a required field legacy clients cannot fill (§6 "x:data form + instructions").
  if (o.invite_only) return registerResultIq(iq, xml('query', { xmlns: NS.register }, xml('instructions', {}, o.instructions), buildForm(registrationForm({ instructions: o.instructions, requireEmail: o.require_email, invite: true }))));
  // §6 precedence: legacy fields plus a form with no extra required fields (the form wins).
  return registerResultIq(iq, xml('query', { xmlns: NS.register },
    xml('instructions', {}, o.instructions),
    xml('username'),
    xml('password'),
    o.require_email ? xml('email') : undefined,
    buildForm(registrationForm({ instructions: o.instructions, requireEmail: o.require_email }))));
}

/** What the client submitted: form first (§6), else the legacy fields. */
function submitted(reg: Registrar, query: Element): { username?: string; password?: string; email?: string; form?: DataForm } | 'cancel' {
  let req;
  try {
    req = parseRegisterSet(query);
  } catch (e) {
    throw new StanzaError('bad-request', (e as Error).message);
  }
  switch (req.kind) {
    case 'remove':
      // §3.2: cancelling needs an account; before authentication there is none.
      throw new StanzaError('unexpected-request', 'Log in before cancelling a registration');
    case 'empty':
      throw new RegisterError('not-acceptable', 'Username and password are required', 'modify');
    case 'legacy':
      return req;
    case 'form': {
      if (req.form.type === 'cancel') return 'cancel';
      if (req.formType !== undefined && req.formType !== FORM_REGISTER) throw new StanzaError('bad-request', `Expected a ${FORM_REGISTER} form`);
      try {
        const v = validateSubmission(registrationForm({ instructions: reg.o.instructions, requireEmail: reg.o.require_email, invite: reg.o.invite_only }), req.form);
        return { username: v.value('username'), password: v.value('password'), email: v.value('email'), form: req.form };
      } catch (e) {
        if (e instanceof FormError) throw new StanzaError('not-acceptable', e.message);
        throw e;
      }
    }
  }
}

/** §3.1 set: create the account. */
async function register(reg: Registrar, iq: Element, query: Element, c: PreAuthContext): Promise<Element> {
  const { o, ctx } = reg;
  if (o.redirect_url) throw new StanzaError('not-allowed', `Register at ${o.redirect_url}`);
  if (!o.enabled) throw new StanzaError('service-unavailable', 'In-band registration is disabled');
  // §3.1.1 / docs: one account per stream; the client must authenticate next.
  if (c.state.get(REGISTERED)) throw new StanzaError('not-acceptable', 'An account was already registered on this connection; log in now');
  const data = submitted(reg, query);
  if (data === 'cancel') return registerResultIq(iq);
  // §3.1: an empty <password/> is "not providing the information": not-acceptable.
  if (!data.username) throw new StanzaError('not-acceptable', 'A username is required');
  if (!data.password) throw new StanzaError('not-acceptable', 'A password is required');
  if (o.require_email && !data.email) throw new StanzaError('not-acceptable', 'An email address is required');
  let username: string;
  try {
    username = ctx.accounts.normaliseUsername(data.username, c.domain);
  } catch (e) {
    throw new StanzaError('not-acceptable', e instanceof AccountError ? e.message : 'Invalid username');
  }
  const problem = usernameProblem(username, reg.policy) ?? passwordProblem(data.password, username, reg.policy);
  if (problem) throw new StanzaError('not-acceptable', problem);

  const ip = addressKey(c.remoteAddress);
  if (reg.captcha && reg.needsCaptcha(ip)) await solveCaptcha(reg, ip, data.form);
  if (!reg.perAddress.allows(ip) || !reg.global.allows('*')) {
    ctx.log.warn({ ip }, 'registration rate limit reached');
    throw new StanzaError('resource-constraint', 'Too many registrations; try again later', 'wait');
  }
  reg.countAttempt(ip);

  if ((await ctx.storage.registrations.quarantinedUntil(username, c.domain)) !== null || (await ctx.accounts.exists(username, c.domain))) {
    throw new StanzaError('conflict', 'This username is not available');
  }
  // Consumed last, once the name is known to be free: a conflict does not burn the invitation.
  if (o.invite_only) await useInvitation(ctx.storage.registrations, data.form, c.domain);
  const payments = ctx.services.get('payments');
  if (payments?.charges('registration', c.domain)) {
    // Payment Required (docs/payment.md): the account is created when its invoice is settled.
    const receipt = await payments.register({ username, domain: c.domain, password: data.password, iq, query });
    c.state.set(REGISTERED, true);
    return registerResultIq(iq, receipt);
  }
  try {
    await reg.lifecycle.create(username, c.domain, data.password);
  } catch (e) {
    if (e instanceof AccountError) {
      if (await ctx.accounts.exists(username, c.domain)) throw new StanzaError('conflict', 'This username is not available');
      throw new StanzaError('not-acceptable', e.message);
    }
    throw e;
  }
  if (data.email) await ctx.storage.kv.set(username, c.domain, 'register', 'email', data.email);
  c.state.set(REGISTERED, true);
  ctx.log.info({ user: `${username}@${c.domain}`, ip }, 'account registered in-band');
  return registerResultIq(iq);
}

/**
 * XEP-0158: the submitted form must answer a challenge this server issued, once, in time. Checked
 * after the field checks (a typo does not burn the challenge) and before the availability check
 * (probing for taken names needs a solved CAPTCHA).
 */
async function solveCaptcha(reg: Registrar, ip: string, form: DataForm | undefined): Promise<void> {
  if (!reg.captchaFailures.allows(ip)) throw new StanzaError('resource-constraint', 'Too many wrong CAPTCHA answers; try again later', 'wait');
  if (!form) throw new StanzaError('not-acceptable', 'Fill in the registration form: it has a CAPTCHA', 'cancel');
  const values = formValues(form);
  const id = values.value('challenge');
  const paidSession = values.value('urn:xmpp:payment:0');
  // Payment Required + XEP-0158: a settled session bound to this challenge stands in for the answer.
  if (id && paidSession && reg.ctx.services.get('payments')) return reg.ctx.services.get('payments')!.redeemCaptchaAlternative(id, paidSession);
  if (!id || !(await reg.captcha!.check(id, values))) {
    reg.captchaFailures.hit(ip);
    reg.ctx.log.info({ ip }, 'wrong or expired CAPTCHA answer');
    throw new StanzaError('not-acceptable', 'The CAPTCHA answer is wrong or expired; ask for a new form', 'cancel');
  }
}
