// Loads parley.toml, validates it against the schema and reports problems as
// "file:line: key: what is wrong" so an operator can fix them without reading code.
import { readFileSync, existsSync } from 'node:fs';
import { resolve, dirname, isAbsolute } from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { configSchema, type Config } from './schema.ts';

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

export interface LoadedConfig {
  config: Config;
  /** File it came from, or null for built-in defaults. */
  file: string | null;
}

/** Line number (1-based) where a dotted key path is set, found by scanning tables and keys. */
export function locateKey(text: string, path: (string | number)[]): number | undefined {
  const keys = path.filter((p): p is string => typeof p === 'string');
  let table: string[] = [];
  let tableLine: number | undefined;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    const header = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
    if (header) {
      table = header[1].split('.').map((s) => s.trim().replace(/^"|"$/g, ''));
      if (tableLine === undefined && isPrefix(table, keys)) tableLine = i + 1;
      continue;
    }
    const kv = /^("?)([A-Za-z0-9_.\-]+)\1\s*=/.exec(line);
    if (kv && isPrefix(keys, [...table, ...kv[2].split('.')])) return i + 1;
  }
  return tableLine;
}

function isPrefix(prefix: string[], full: string[]): boolean {
  return prefix.length > 0 && prefix.length <= full.length && prefix.every((x, i) => x === full[i]);
}

export function parseConfigText(text: string, file: string): Config {
  let raw: unknown;
  try {
    raw = parseToml(text);
  } catch (e) {
    if (e instanceof TomlError) throw new ConfigError([`${file}:${e.line}:${e.column}: TOML syntax error: ${e.message.split('\n')[0]}`]);
    throw e;
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const path = issue.code === 'unrecognized_keys' ? [...issue.path, ...(issue as { keys: string[] }).keys.slice(0, 1)] : issue.path;
      const key = path.join('.') || '(top level)';
      const line = locateKey(text, path as (string | number)[]);
      const msg = issue.code === 'unrecognized_keys' ? `unknown key (not a Parley option)` : issue.message;
      return `${file}${line ? `:${line}` : ''}: ${key}: ${msg}`;
    });
    throw new ConfigError(problems);
  }
  return result.data;
}

/** Load from a path, or defaults when path is undefined and ./parley.toml does not exist. */
export function loadConfig(path?: string): LoadedConfig {
  const file = path ?? (existsSync('parley.toml') ? 'parley.toml' : undefined);
  if (!file) return { config: configSchema.parse({}), file: null };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError([`${file}: cannot read: ${(e as Error).message}`]);
  }
  const config = parseConfigText(text, file);
  // Relative data_dir is relative to the config file's directory.
  if (!isAbsolute(config.data_dir)) config.data_dir = resolve(dirname(resolve(file)), config.data_dir);
  return { config, file };
}

export function resolveDataPath(config: Config, p: string): string {
  return isAbsolute(p) ? p : resolve(config.data_dir, p);
}
