// The module contract (cf. ejabberd's gen_mod): a name, what it depends on, typed options with
// a one-line doc each, and start() returning how to stop. Modules talk to each other only
// through hooks and the services on the context.
import type { z } from 'zod';
import type { Accounts } from '../accounts/index.ts';
import type { Config } from '../config/schema.ts';
import type { DiscoRegistry } from '../core/disco.ts';
import type { ServiceRegistry } from '../core/services.ts';
import type { HookBus } from '../hooks/bus.ts';
import type { HookEvents } from '../hooks/events.ts';
import type { HttpRoutes } from '../http/routes.ts';
import type { Logger } from '../observability/log.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Router } from '../router/router.ts';
import type { IqHandler, IqHandlerOptions } from '../router/iq.ts';
import type { Storage } from '../storage/types.ts';
import type { StreamFeatures } from '../stream/features.ts';

export interface ModuleContext<O = unknown> {
  options: O;
  config: Config;
  domains: readonly string[];
  hooks: HookBus<HookEvents>;
  router: Router;
  storage: Storage;
  accounts: Accounts;
  disco: DiscoRegistry;
  /** Services other modules offer (roster, ...), see core/services.ts. */
  services: ServiceRegistry;
  streamFeatures: StreamFeatures;
  http: HttpRoutes;
  log: Logger;
  metrics: Metrics;
  iq: { handle(ns: string, type: 'get' | 'set', fn: IqHandler, opts?: IqHandlerOptions): void };
  /** Server start time (ms since epoch). */
  startedAt: number;
}

export type Stop = () => void | Promise<void>;

export interface Module<S extends z.ZodType = z.ZodType> {
  name: string;
  /** One line for docs and `parley check`. */
  description: string;
  dependencies?: string[];
  /** Options under [modules.<name>] in parley.toml; each field .describe()d. */
  options?: S;
  start(ctx: ModuleContext<z.infer<S>>): Promise<Stop | void> | Stop | void;
  /**
   * Config reload (SIGHUP, `parley ctl reload`): apply changed options to the running module
   * without dropping connections. `next` is validated; `ctx` is the context start() got, its
   * options still the old values (replace them in place for what is applied). Returns the option
   * keys whose change could not be applied live (they need a restart). Without reload(), any
   * change to the module's options needs a restart.
   */
  reload?(next: z.infer<S>, ctx: ModuleContext<z.infer<S>>): string[] | Promise<string[]>;
}

export function defineModule<S extends z.ZodType>(m: Module<S>): Module<S> {
  return m;
}
