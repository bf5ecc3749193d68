// Starts the built-in modules with their validated options, in dependency order.
import { builtinModules } from '../modules/registry.ts';
import type { Module, ModuleContext, Stop } from '../modules/types.ts';
import type { Server } from './server.ts';

export interface RunningModules {
  names: string[];
  /** Each started module with the context it got (config reload applies options through it). */
  running: { module: Module; ctx: ModuleContext }[];
  stop(): Promise<void>;
}

/** Options for a module from [modules.<name>], validated; errors name the key. */
export function moduleOptions(m: Module, raw: unknown): unknown {
  if (!m.options) return {};
  const r = m.options.safeParse(raw ?? {});
  if (!r.success) throw new Error(r.error.issues.map((i) => `modules.${m.name}.${i.path.join('.')}: ${i.message}`).join('\n'));
  return r.data;
}

export async function startModules(server: Server): Promise<RunningModules> {
  const cfg = server.config.modules as Record<string, unknown> & { disabled: string[] };
  const enabled = builtinModules.filter((m) => !cfg.disabled.includes(m.name));
  const stops: Stop[] = [];
  const running: RunningModules['running'] = [];
  for (const m of enabled) {
    for (const dep of m.dependencies ?? []) if (!enabled.some((e) => e.name === dep)) throw new Error(`module ${m.name} needs ${dep}, which is disabled`);
    const ctx: ModuleContext = {
      options: moduleOptions(m, cfg[m.name]),
      config: server.config,
      domains: server.config.domains,
      hooks: server.hooks,
      router: server.router,
      storage: server.storage,
      accounts: server.accounts,
      disco: server.disco,
      services: server.services,
      streamFeatures: server.features,
      http: server.http,
      log: server.log.child({ module: m.name }),
      metrics: server.metrics,
      iq: { handle: (ns, type, fn, opts) => void server.router.iq.handle(ns, type, fn, opts) },
      startedAt: server.startedAt,
    };
    const stop = await m.start(ctx as never);
    running.push({ module: m, ctx });
    if (stop) stops.push(stop);
  }
  return {
    names: enabled.map((m) => m.name),
    running,
    async stop() {
      for (const s of stops.reverse()) await s();
    },
  };
}
