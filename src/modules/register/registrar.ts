// The state the registration handlers share: validated options, credential policy, rate limiters
// and the account lifecycle.
import type { ModuleContext } from '../types.ts';
import { makePolicy, type CredentialPolicy } from './policy.ts';
import { SlidingWindowLimiter } from './rate-limit.ts';
import { AccountLifecycle } from './lifecycle.ts';
import type { RegisterOptions } from './options.ts';

export class Registrar {
  readonly policy: CredentialPolicy;
  /** Account-creating sets per client address (IPv6 per /64). */
  readonly perAddress: SlidingWindowLimiter;
  /** Server-wide breaker against registration floods from many addresses. */
  readonly global: SlidingWindowLimiter;
  readonly lifecycle: AccountLifecycle;

  constructor(readonly ctx: ModuleContext, readonly o: RegisterOptions) {
    this.policy = makePolicy(o);
    this.perAddress = new SlidingWindowLimiter([
      { ms: 3_600_000, max: o.max_per_address_hour },
      { ms: 86_400_000, max: o.max_per_address_day },
    ]);
    this.global = new SlidingWindowLimiter([{ ms: 60_000, max: o.max_global_minute }]);
    this.lifecycle = new AccountLifecycle(ctx, o.quarantine_days);
  }
}
