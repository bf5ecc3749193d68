// The state the registration handlers share: validated options, credential policy, rate limiters
// and the account lifecycle.
import type { ModuleContext } from '../types.ts';
import { makePolicy, type CredentialPolicy } from './policy.ts';
import { SlidingWindowLimiter } from './rate-limit.ts';
import { AccountLifecycle } from './lifecycle.ts';
import type { RegisterOptions } from './options.ts';
import { QaCaptcha, type CaptchaProvider } from './captcha.ts';

export class Registrar {
  readonly policy: CredentialPolicy;
  /** Account-creating sets per client address (IPv6 per /64). */
  readonly perAddress: SlidingWindowLimiter;
  /** Server-wide breaker against registration floods from many addresses. */
  readonly global: SlidingWindowLimiter;
  readonly lifecycle: AccountLifecycle;
  /** XEP-0158 challenges, when o.captcha is not off. */
  readonly captcha: CaptchaProvider | null;
  /** Registrations per address in the last hour, for captcha = suspicious. */
  private readonly soft: SlidingWindowLimiter;
  /** Wrong CAPTCHA answers per address. */
  readonly captchaFailures: SlidingWindowLimiter;

  constructor(readonly ctx: ModuleContext, readonly o: RegisterOptions) {
    this.policy = makePolicy(o);
    this.perAddress = new SlidingWindowLimiter([
      { ms: 3_600_000, max: o.max_per_address_hour },
      { ms: 86_400_000, max: o.max_per_address_day },
    ]);
    this.global = new SlidingWindowLimiter([{ ms: 60_000, max: o.max_global_minute }]);
    this.lifecycle = new AccountLifecycle(ctx, o.quarantine_days);
    this.captcha = o.captcha === 'off' ? null : new QaCaptcha(o.captcha_questions);
    this.soft = new SlidingWindowLimiter([{ ms: 3_600_000, max: o.captcha_soft_limit }]);
    this.captchaFailures = new SlidingWindowLimiter([{ ms: 600_000, max: o.max_captcha_failures }]);
  }

  /** Whether a registration from this address must solve a CAPTCHA. */
  needsCaptcha(address: string): boolean {
    if (!this.captcha) return false;
    return this.o.captcha === 'always' || !this.soft.allows(address);
  }

  /** Count an account-creating attempt against every per-address and global limit. */
  countAttempt(address: string): void {
    this.perAddress.hit(address);
    this.global.hit('*');
    this.soft.hit(address);
  }
}
