// XEP-0077 for a logged-in user: what is on file (§3.1 get with <registered/>), password change
// (§3.3) and cancellation (§3.2), with the §3.3 "extra data" decision of docs/registration.md:
// forms go up front in the get, and inside <error/> when a set lacks them.
import type { Routed } from '../../hooks/events.ts';
import type { LocalSession } from '../../router/session.ts';
import { xml, type Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';
import { StanzaError } from '../../stanza/errors.ts';
import { tryParseJid } from '../../jid/index.ts';
import { buildForm, FormError, validateSubmission, type FormValues } from '../../forms/index.ts';
import { registerErrorIq, registerResultIq, RegisterError } from './errors.ts';
import { cancelForm, changePasswordForm, FORM_CANCEL, FORM_CHANGE_PASSWORD, FORM_REGISTER, formQuery } from './forms.ts';
import { parseRegisterSet } from './request.ts';
import { passwordProblem } from './policy.ts';
import type { Registrar } from './registrar.ts';

/** The 'iq/host' / 'iq/bare' hook: handles jabber:iq:register from a local user about its own account. */
export async function handleAccountRegisterIq(reg: Registrar, r: Routed): Promise<boolean> {
  const { stanza, from, to, origin } = r;
  const query = stanza.getChildElements().find((c) => c.name !== 'error');
  if (!query?.is('query', NS.register) || !origin) return false;
  // Only about the sender's own account, at its own server (else: service-unavailable as usual).
  if (to.local ? !to.bare().equals(from.bare()) : to.domain !== from.domain) return false;
  const type = stanza.attrs.type;
  if (type !== 'get' && type !== 'set') return false;
  let after: After | undefined;
  let reply: Element;
  try {
    if (type === 'get') reply = registerResultIq(stanza, await onFile(reg, origin));
    else {
      const outcome = await change(reg, stanza, query, origin);
      reply = registerResultIq(stanza);
      after = outcome;
    }
  } catch (e) {
    if (!(e instanceof StanzaError)) {
      reg.ctx.log.error({ err: e }, 'register request failed');
      e = new StanzaError('internal-server-error');
    }
    reply = registerErrorIq(stanza, e as StanzaError, reg.o.legacy_error_form);
  }
  if (!after) {
    origin.send(reply);
    return true;
  }
  let sent = false;
  const sendReply = () => {
    if (sent) return;
    sent = true;
    origin.send(reply);
  };
  try {
    await after(sendReply);
  } catch (e) {
    reg.ctx.log.error({ err: e }, 'register change failed');
    if (!sent) reply = registerErrorIq(stanza, new StanzaError('internal-server-error'));
  }
  sendReply();
  return true;
}

/** §3.1: <registered/>, the username, an empty password (never disclosed) and the change form. */
async function onFile(reg: Registrar, s: LocalSession): Promise<Element> {
  const { local, domain } = s.jid;
  const email = await reg.ctx.storage.kv.get(local, domain, 'register', 'email');
  const q = xml('query', { xmlns: NS.register },
    xml('instructions', {}, 'You are registered. Use the form to change your password.'),
    xml('registered'),
    xml('username', {}, local),
    xml('password'),
    email !== null ? xml('email', {}, email) : undefined);
  if (reg.o.allow_password_change) q.append(buildForm(changePasswordForm({ username: local, requireOld: reg.o.change_password_requires_old })));
  return q;
}

/** A submitted username names the session's account: its localpart or its bare JID (XEP-0077 Example 16). */
function namesAccount(value: string | undefined, s: LocalSession): boolean {
  if (value === undefined) return true;
  if (value === s.jid.local) return true;
  const j = tryParseJid(value.includes('@') ? value : `${value}@${s.jid.domain}`);
  return j !== null && !j.resource && j.bare().equals(s.jid.bare());
}

type After = (sendReply: () => void) => Promise<void>;

/** Validate and prepare a set; the returned action runs after checks, sending the result itself. */
async function change(reg: Registrar, iq: Element, query: Element, s: LocalSession): Promise<After | undefined> {
  // XEP-0077 §3.3 / §9: never over a channel that is not encrypted.
  if (!s.secure) throw new StanzaError('not-authorized', 'Use an encrypted connection');
  let req;
  try {
    req = parseRegisterSet(query);
  } catch (e) {
    throw new StanzaError('bad-request', (e as Error).message);
  }
  switch (req.kind) {
    case 'empty':
      throw new StanzaError('bad-request', 'Nothing to change');
    case 'remove':
      // §3.2 error table: <remove/> must be the only child.
      if (!req.alone) throw new StanzaError('bad-request', '<remove/> must be the only child of <query/>');
      return cancel(reg, s, undefined);
    case 'legacy':
      return changePassword(reg, s, { username: req.username, password: req.password }, false);
    case 'form': {
      if (req.form.type === 'cancel') return undefined; // the user gave up: empty result
      if (req.formType === undefined) throw new StanzaError('bad-request', 'The form has no FORM_TYPE');
      if (req.formType === FORM_CANCEL) return cancel(reg, s, checked(cancelForm({ username: s.jid.local }), req.form, () => cancelError(reg, s)));
      if (req.formType === FORM_CHANGE_PASSWORD) {
        const v = checked(changePasswordForm({ username: s.jid.local, requireOld: reg.o.change_password_requires_old }), req.form, () => passwordFormError(reg, s));
        return changePassword(reg, s, { username: v.value('username'), password: v.value('password'), oldPassword: v.value('old_password') }, true);
      }
      if (req.formType === FORM_REGISTER) {
        // The registration form, sent by a registered user: a password change (§3.3).
        const f = req.form.fields;
        const value = (n: string) => f.find((x) => x.var === n)?.values[0];
        return changePassword(reg, s, { username: value('username'), password: value('password') }, false);
      }
      throw new StanzaError('bad-request', `Unknown FORM_TYPE ${req.formType}`);
    }
  }
}

function checked(offered: ReturnType<typeof cancelForm>, submitted: Parameters<typeof validateSubmission>[1], onMissing: () => RegisterError): FormValues {
  try {
    return validateSubmission(offered, submitted);
  } catch (e) {
    if (!(e instanceof FormError)) throw e;
    const err = onMissing();
    throw new RegisterError(err.condition, e.message, err.type, err.form);
  }
}

function passwordFormError(reg: Registrar, s: LocalSession, text = 'Fill in the password change form'): RegisterError {
  return new RegisterError('not-authorized', text, 'auth', formQuery(changePasswordForm({ username: s.jid.local, requireOld: reg.o.change_password_requires_old })));
}

function cancelError(_reg: Registrar, s: LocalSession, text = 'Confirm with your password'): RegisterError {
  return new RegisterError('not-authorized', text, 'auth', formQuery(cancelForm({ username: s.jid.local })));
}

async function changePassword(reg: Registrar, s: LocalSession, d: { username?: string; password?: string; oldPassword?: string }, viaForm: boolean): Promise<After> {
  const { ctx, o } = reg;
  if (!o.allow_password_change) throw new StanzaError('not-allowed', 'Password changes are disabled here');
  if (!namesAccount(d.username, s)) throw new StanzaError('not-authorized', 'You can only change your own password');
  // §3.3 decision: a legacy request cannot carry the old password; answer with the form.
  if (o.change_password_requires_old && !viaForm) throw passwordFormError(reg, s, 'Old password required');
  // §3.3: an empty <password/> MUST NOT clear the password.
  if (!d.password) throw new StanzaError('not-acceptable', 'The new password must not be empty');
  if (d.oldPassword !== undefined || o.change_password_requires_old) {
    if (!d.oldPassword || !(await ctx.accounts.verifyPassword(s.jid.local, s.jid.domain, d.oldPassword))) {
      ctx.log.warn({ user: s.jid.bare().toString() }, 'password change with a wrong old password');
      throw passwordFormError(reg, s, 'The old password is wrong');
    }
  }
  const problem = passwordProblem(d.password, s.jid.local, reg.policy);
  if (problem) throw new StanzaError('not-acceptable', problem);
  const password = d.password;
  return (sendReply) => reg.lifecycle.changePassword(s.jid.local, s.jid.domain, password, s, sendReply);
}

async function cancel(reg: Registrar, s: LocalSession, v: FormValues | undefined): Promise<After> {
  const { ctx, o } = reg;
  if (!o.allow_cancel) throw new StanzaError('not-allowed', 'Accounts cannot be deleted in-band here');
  if (o.cancel_requires_password && !v) throw cancelError(reg, s);
  if (v) {
    if (!namesAccount(v.value('username'), s)) throw new StanzaError('not-authorized', 'You can only delete your own account');
    if (!(await ctx.accounts.verifyPassword(s.jid.local, s.jid.domain, v.value('password') ?? ''))) throw cancelError(reg, s, 'The password is wrong');
  }
  return async (sendReply) => {
    // §3.2: result first, then the not-authorized stream error to every session of the account.
    await reg.lifecycle.remove(s.jid.local, s.jid.domain, { quarantine: true, condition: 'not-authorized', beforeClose: sendReply });
  };
}
