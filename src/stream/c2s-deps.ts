// What a client stream needs from the server, as one typed bag (keeps c2s.ts free of wiring).
import type { Accounts } from '../accounts/index.ts';
import type { Config } from '../config/schema.ts';
import type { HookBus } from '../hooks/bus.ts';
import type { HookEvents } from '../hooks/events.ts';
import type { Logger } from '../observability/log.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Router } from '../router/router.ts';
import type { StreamFeatures } from './features.ts';
import type { AuthThrottle } from '../accounts/auth-throttle.ts';
import type { LoginBackoff } from './limits-auth.ts';

export interface C2SDeps {
  config: Config;
  defaultDomain: string;
  isLocalDomain(domain: string): boolean;
  router: Router;
  hooks: HookBus<HookEvents>;
  features: StreamFeatures;
  accounts: Accounts;
  log: Logger;
  metrics: Metrics;
  /** Slows answers to repeated failed logins from one address (optional for tests/tools). */
  authThrottle?: AuthThrottle;
  /** Failed-login backoff per account and per (account, address) (optional for tests/tools). */
  loginBackoff?: LoginBackoff;
}
