// A Parley process on a config and data directory that outlive it, which a test can kill -9
// (or SIGTERM) and start again: for crash-safety and shutdown tests.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'smol-toml';
import { freePorts } from '../helpers/ports.ts';
import { launchParley, type ParleyProcess } from '../helpers/parley-process.ts';
import { describeRun, runParley } from '../helpers/parley-cli.ts';
import { deepMerge, testCert, testKey } from '../helpers/server.ts';

export class CrashableServer {
  readonly domain = 'localhost';
  proc: ParleyProcess | null = null;
  private earlier = '';
  private constructor(readonly dir: string, readonly configPath: string, readonly dataDir: string, readonly ports: { c2s: number; http: number }) {}

  static async create(config: Record<string, unknown> = {}): Promise<CrashableServer> {
    const dir = mkdtempSync(join(tmpdir(), 'parley-crash-'));
    const dataDir = join(dir, 'data');
    const [c2s, directTls, http, https] = await freePorts(4);
    const lo = ['127.0.0.1'];
    const full = deepMerge({
      domains: ['localhost'],
      data_dir: dataDir,
      c2s: { port: c2s, direct_tls_port: directTls, interfaces: lo },
      s2s: { port: 0, direct_tls_port: 0, interfaces: lo },
      http: { port: http, https_port: https, interfaces: lo },
      tls: { certificate: testCert, key: testKey },
      auth: { scram_iterations: 4096 },
      log: { level: 'info' },
    }, config);
    const configPath = join(dir, 'parley.toml');
    writeFileSync(configPath, stringify(full));
    return new CrashableServer(dir, configPath, dataDir, { c2s, http });
  }

  async start(): Promise<void> {
    const p = launchParley(['start', '--config', this.configPath]);
    await p.waitForLog(/"msg":"parley ready"/, 60_000);
    this.proc = p;
  }

  async adduser(user: string, password: string): Promise<void> {
    const args = ['adduser', `${user}@${this.domain}`, '--password', password, '--config', this.configPath];
    const r = await runParley(args);
    if (r.code !== 0) throw new Error(describeRun(args, r));
  }

  /** SIGKILL: no shutdown code runs at all. */
  async kill9(): Promise<void> {
    const p = this.proc;
    if (!p) return;
    this.earlier += p.logs();
    process.kill(p.pid, 'SIGKILL');
    await p.stop(1000);
    this.proc = null;
  }

  /** SIGTERM and wait for the process to end by itself. */
  async terminate(graceMs = 20_000): Promise<{ code: number | null; signal: NodeJS.Signals | null; killed: boolean }> {
    const p = this.proc;
    if (!p) return { code: null, signal: null, killed: false };
    this.proc = null;
    const r = await p.stop(graceMs);
    this.earlier += p.logs();
    return r;
  }

  logs(): string {
    return this.earlier + (this.proc?.logs() ?? '');
  }

  async remove(): Promise<void> {
    if (this.proc) await this.proc.stop(2000);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
