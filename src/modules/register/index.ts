// XEP-0077 In-Band Registration (v2.4): create an account before logging in, see what is on file,
// change the password, delete the account. Decisions: docs/registration.md.
// Config: [modules.register] enabled, redirect_url, instructions, captcha (+ captcha_provider,
//   captcha_questions, captcha_soft_limit, max_captcha_failures), require_email,
//   allow_password_change, change_password_requires_old, allow_cancel, cancel_requires_password,
//   legacy_error_form, min_password_length, denied_passwords, reserved_usernames, quarantine_days,
//   max_per_address_hour, max_per_address_day, max_global_minute, max_iqs_per_stream.
// Features: jabber:iq:register (host); stream feature http://jabber.org/features/iq-register
//   (pre-auth, TLS only, when enabled or redirecting).
// Pre-auth iq: jabber:iq:register get/set (stream/features.ts handlePreAuthIq).
// Hooks: 'iq/host', 'iq/bare' (jabber:iq:register of a logged-in user about its own account).
// Service: accountLifecycle (create / remove / changePassword with their effect on sessions).
import { defineModule } from '../types.ts';
import { xml } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';
import { registerOptions, type RegisterOptions } from './options.ts';
import { Registrar } from './registrar.ts';
import { handlePreAuthRegister } from './create.ts';
import { handleAccountRegisterIq } from './manage.ts';
import { makePolicy } from './policy.ts';
import { reloadLive } from '../reload.ts';
import type { ModuleContext } from '../types.ts';

/** The running Registrar of each started context, for reload(). */
const registrars = new WeakMap<ModuleContext, Registrar>();
// Read at use time from ctx.options (the credential policy is rebuilt on reload). The captcha,
// rate limiters and quarantine are built at start: changing them needs a restart.
const applyLive = reloadLive<RegisterOptions>(['enabled', 'redirect_url', 'instructions', 'invite_only', 'require_email', 'allow_password_change', 'change_password_requires_old', 'allow_cancel', 'cancel_requires_password', 'legacy_error_form', 'max_iqs_per_stream', 'min_password_length', 'denied_passwords', 'reserved_usernames']);

export default defineModule({
  name: 'register',
  description: 'XEP-0077 in-band registration, password change and account deletion',
  options: registerOptions,
  start(ctx) {
    const reg = new Registrar(ctx, ctx.options);
    registrars.set(ctx as ModuleContext, reg);
    const o = ctx.options;
    ctx.services.provide('accountLifecycle', reg.lifecycle);
    ctx.disco.addFeature(NS.register);

    const stops = [
      // XEP-0077 §8: advertised to clients only (never on s2s), and Parley only after TLS.
      ctx.streamFeatures.addPreAuth({
        features: ({ secure }) => (secure && (o.enabled || o.redirect_url) ? [xml('register', { xmlns: NS.registerFeature })] : []),
      }),
      ctx.streamFeatures.handlePreAuthIq(NS.register, (iq, query, c) => handlePreAuthRegister(reg, iq, query, c)),
      ctx.hooks.on('iq/host', (r) => handleAccountRegisterIq(reg, r)),
      ctx.hooks.on('iq/bare', (r) => handleAccountRegisterIq(reg, r)),
    ];
    const sweep = setInterval(() => void ctx.storage.registrations.expire().catch((err) => ctx.log.warn({ err }, 'quarantine expiry failed')), 3_600_000);
    sweep.unref();

    return () => {
      clearInterval(sweep);
      for (const stop of stops) stop();
      ctx.disco.removeFeature(NS.register);
    };
  },
  reload(next, ctx) {
    const restart = applyLive(next, ctx);
    const reg = registrars.get(ctx as ModuleContext);
    if (reg) Object.assign(reg.policy, makePolicy(ctx.options));
    return restart;
  },
});
