// Starts a real Parley process for an end-to-end test: temp data dir, free loopback ports,
// a TOML config, and the "parley ready" log line as the signal that every listener is up.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'smol-toml';
import { freePorts } from './ports.ts';
import { describeRun, repoRoot, runParley, type CliResult } from './parley-cli.ts';
import { launchParley } from './parley-process.ts';

export const testCert = join(repoRoot, 'test/fixtures/tls/localhost.crt');
export const testKey = join(repoRoot, 'test/fixtures/tls/localhost.key');

export interface StartOptions {
  /** Deep-merged over the generated config (e.g. { c2s: { max_outbound_queue_bytes: 65536 } }). */
  config?: Record<string, unknown>;
  /** Served domains; the first is `domain`. Default ['localhost'] (the test certificate covers it). */
  domains?: string[];
  env?: NodeJS.ProcessEnv;
  readyTimeoutMs?: number;
}

export interface RunningServer {
  domain: string;
  ports: { c2s: number; directTls: number; http: number; https: number };
  dataDir: string;
  configPath: string;
  pid: number;
  /** `parley adduser user@domain --password pw` against this server's config; throws on failure. */
  adduser(user: string, password: string): Promise<void>;
  /** Any other CLI command with this server's config appended. */
  cli(args: string[], input?: string): Promise<CliResult>;
  /** Resident set size of the server process in bytes (VmRSS). */
  rss(): number;
  /** Everything the server printed so far (JSON log lines), capped to the most recent part. */
  logs(): string;
  /** Resolves when a log line matching re appears (already printed lines count). */
  waitForLog(re: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGTERM, wait, SIGKILL after a grace period; returns how the process ended. Idempotent. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null; killed: boolean }>;
}

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

export function deepMerge(base: Plain, over: Plain): Plain {
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isPlain(v) && isPlain(out[k]) ? deepMerge(out[k] as Plain, v) : v;
  return out;
}

export async function startServer(opts: StartOptions = {}): Promise<RunningServer> {
  const domains = opts.domains ?? ['localhost'];
  const dir = mkdtempSync(join(tmpdir(), 'parley-e2e-'));
  const dataDir = join(dir, 'data');
  const [c2s, directTls, http, https] = await freePorts(4);
  const loopback = ['127.0.0.1'];
  const base: Plain = {
    domains,
    data_dir: dataDir,
    c2s: { port: c2s, direct_tls_port: directTls, interfaces: loopback },
    s2s: { port: 0, direct_tls_port: 0, interfaces: loopback },
    http: { port: http, https_port: https, interfaces: loopback },
    tls: { certificate: testCert, key: testKey },
    // Tests create accounts often; the minimum the schema allows keeps that fast.
    auth: { scram_iterations: 4096 },
    log: { level: 'info' },
  };
  const config = deepMerge(base, opts.config ?? {});
  const configPath = join(dir, 'parley.toml');
  writeFileSync(configPath, stringify(config));

  const proc = launchParley(['start', '--config', configPath], { env: opts.env });
  try {
    await proc.waitForLog(/"msg":"parley ready"/, opts.readyTimeoutMs ?? 60_000);
  } catch (e) {
    await proc.stop();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }

  let stopped: ReturnType<RunningServer['stop']> | null = null;
  const cli = (args: string[], input?: string) => runParley([...args, '--config', configPath], { input, env: opts.env });
  return {
    domain: domains[0],
    ports: { c2s, directTls, http, https },
    dataDir,
    configPath,
    pid: proc.pid,
    cli,
    async adduser(user, password) {
      const args = ['adduser', `${user}@${domains[0]}`, '--password', password];
      const r = await cli(args);
      if (r.code !== 0) throw new Error(describeRun(args, r));
    },
    rss: proc.rss,
    logs: proc.logs,
    waitForLog: proc.waitForLog,
    stop() {
      stopped ??= proc.stop().then((r) => {
        rmSync(dir, { recursive: true, force: true });
        return r;
      });
      return stopped;
    },
  };
}
