// Config reload for modules (SIGHUP, `parley ctl reload`): validate every module's new options
// first (one invalid option refuses the whole reload), then hand each running module whose
// [modules.<name>] changed its new options through Module.reload. What cannot be applied live
// (modules without reload(), options they cannot change, modules enabled or disabled) is logged
// as needing a restart; connections are never touched.
import type { Config } from '../config/schema.ts';
import { ConfigError } from '../config/loader.ts';
import { builtinModules } from '../modules/registry.ts';
import { changedKeys } from '../modules/reload.ts';
import type { Logger } from '../observability/log.ts';
import { moduleOptions, type RunningModules } from './modules.ts';

/** Validated options of every built-in module under the new config; throws ConfigError listing all problems. */
export function validateModules(next: Config): Map<string, unknown> {
  const raw = next.modules as Record<string, unknown>;
  const out = new Map<string, unknown>();
  const problems: string[] = [];
  for (const m of builtinModules) {
    try {
      out.set(m.name, moduleOptions(m, raw[m.name]));
    } catch (e) {
      problems.push(...(e as Error).message.split('\n'));
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return out;
}

/** Applies the new module options; returns one line per module that changed (for `parley ctl reload`). */
export async function reloadModules(running: RunningModules, current: Config, next: Config, nextOptions: Map<string, unknown>, log: Logger): Promise<string[]> {
  const summary: string[] = [];
  const runningNames = new Set(running.running.map((r) => r.module.name));
  for (const m of builtinModules) {
    const wanted = !next.modules.disabled.includes(m.name);
    if (wanted !== runningNames.has(m.name)) {
      log.warn({ module: m.name, change: wanted ? 'enabled' : 'disabled' }, 'restart needed: module enabled or disabled in the configuration');
      summary.push(`${m.name}: ${wanted ? 'enabled' : 'disabled'} (restart needed)`);
    }
  }
  for (const { module: m, ctx } of running.running) {
    const opts = nextOptions.get(m.name) as object;
    const changed = changedKeys(ctx.options as object, opts);
    if (!changed.length) continue;
    let restart = changed;
    if (m.reload) {
      try {
        restart = await m.reload(opts, ctx);
      } catch (err) {
        log.error({ err, module: m.name }, 'module reload failed; its old options stay in effect where not applied');
        restart = changedKeys(ctx.options as object, opts);
      }
    }
    const applied = changed.filter((k) => !restart.includes(k));
    if (applied.length) log.info({ module: m.name, options: applied }, 'module options reloaded');
    if (restart.length) log.warn({ module: m.name, options: restart }, m.reload ? 'restart needed for these module options' : 'restart needed: module cannot reload its options');
    // The live config (config view, ctx.config readers) follows what is in effect.
    if (!restart.length) (current.modules as Record<string, unknown>)[m.name] = (next.modules as Record<string, unknown>)[m.name];
    summary.push(`${m.name}: ${applied.length ? `applied ${applied.join(', ')}` : 'nothing applied'}${restart.length ? `; restart needed for ${restart.join(', ')}` : ''}`);
  }
  // Settings outside [modules] other than the log level and certificate files take effect at restart.
  const restartSections = (Object.keys(next) as (keyof Config)[]).filter((k) => k !== 'modules' && changedKeys({ v: current[k] }, { v: k === 'log' ? { ...next.log, level: current.log.level } : next[k] }).length);
  if (restartSections.length) {
    log.warn({ settings: restartSections }, 'restart needed for changed settings outside [modules]');
    summary.push(`restart needed for [${restartSections.join('], [')}]`);
  }
  return summary;
}
