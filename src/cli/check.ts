// parley check: validate the configuration file (and module options), print every problem.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { ConfigError, loadConfig } from '../config/loader.ts';
import { moduleOptions } from '../core/modules.ts';
import { builtinModules } from '../modules/registry.ts';
import { certPaths } from '../net/certs.ts';
import { tryParseJid } from '../jid/index.ts';
import { checkCertificate } from './check-cert.ts';
import { checkDns } from './check-dns.ts';

/** `dns: false` (--no-dns) skips the SRV lookups (offline machines, tests). */
export async function cmdCheck(path: string | undefined, opts: { dns?: boolean } = {}): Promise<number> {
  let loaded;
  try {
    loaded = loadConfig(path);
  } catch (e) {
    if (e instanceof ConfigError) {
      // Report what else can be checked without a valid schema too, so one run lists every problem.
      const extra = path ? fileProblems(path) : [];
      process.stderr.write(`${e.message}${extra.length ? `\n  ${extra.join('\n  ')}` : ''}\n`);
      return 1;
    }
    throw e;
  }
  const { config, file } = loaded;
  const problems: string[] = [];
  const known = new Set(['disabled', ...builtinModules.map((m) => m.name)]);
  for (const key of Object.keys(config.modules)) if (!known.has(key)) problems.push(`modules.${key}: no such module`);
  for (const m of builtinModules) {
    try {
      moduleOptions(m, (config.modules as Record<string, unknown>)[m.name]);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  for (const d of config.domains) {
    const j = tryParseJid(d);
    if (!j || j.local || j.resource) problems.push(`domains: "${d}" is not a valid domain name`);
  }
  for (const a of config.admins) if (!tryParseJid(a)?.local) problems.push(`admins: "${a}" is not a bare JID`);
  const cert = certPaths(config);
  if (!cert.generated) {
    if (!existsSync(cert.cert)) problems.push(`tls.certificate: ${cert.cert} does not exist`);
    if (!existsSync(cert.key)) problems.push(`tls.key: ${cert.key} does not exist`);
  } else if (config.tls.certificate || config.tls.key) problems.push('tls: set both certificate and key, or neither');
  const ports = [['c2s.port', config.c2s.port], ['c2s.direct_tls_port', config.c2s.direct_tls_port], ['http.port', config.http.port], ['http.https_port', config.http.https_port]] as const;
  const seen = new Map<number, string>();
  for (const [k, p] of ports) {
    if (p && seen.has(p)) problems.push(`${k}: port ${p} is also used by ${seen.get(p)}`);
    seen.set(p, k);
  }
  const certFindings = checkCertificate(config);
  problems.push(...certFindings.problems);
  const warnings = [...certFindings.warnings];
  if (opts.dns !== false) warnings.push(...(await checkDns(config)));
  else warnings.push('dns: not checked (--no-dns)');
  const src = file ?? '(built-in defaults)';
  if (warnings.length) process.stdout.write(`${src}: ${warnings.length} warning(s):\n  ${warnings.join('\n  ')}\n`);
  if (problems.length) {
    process.stderr.write(`${src}: ${problems.length} problem(s):\n  ${problems.join('\n  ')}\n`);
    return 1;
  }
  process.stdout.write(`${src}: configuration OK (domains: ${config.domains.join(', ')}; data in ${config.data_dir})\n`);
  return 0;
}

/** Checks that need only the raw TOML: files the configuration points at. */
function fileProblems(path: string): string[] {
  let raw: Record<string, unknown>;
  try {
    raw = parseToml(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return [];
  }
  const base = dirname(resolve(path));
  const dataDir = typeof raw.data_dir === 'string' ? resolve(base, raw.data_dir) : resolve(base, 'data');
  const out: string[] = [];
  const tls = (raw.tls ?? {}) as Record<string, unknown>;
  for (const key of ['certificate', 'key'] as const) {
    const v = tls[key];
    if (typeof v === 'string' && !existsSync(isAbsolute(v) ? v : resolve(dataDir, v))) out.push(`${path}: tls.${key}: ${v} does not exist`);
  }
  return out;
}
