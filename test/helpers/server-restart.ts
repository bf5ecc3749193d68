// A Parley process that can be stopped and started again on the same config and data directory
// (persistence across restarts). Like server.ts's startServer (same generated config), but the
// temp directory outlives each process and goes only with remove().
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'smol-toml';
import { freePorts } from './ports.ts';
import { launchParley, type ParleyProcess } from './parley-process.ts';
import { deepMerge, testCert, testKey, type StartOptions } from './server.ts';

export interface RestartableServer {
  domain: string;
  ports: { c2s: number; http: number };
  dataDir: string;
  configPath: string;
  logs(): string;
  /** SIGTERM the running process (graceful shutdown), wait, then start a new one on the same config. */
  restart(): Promise<void>;
  /** Stop the process (if running) and delete the directory. Idempotent. */
  remove(): Promise<void>;
}

export async function startRestartableServer(opts: StartOptions = {}): Promise<RestartableServer> {
  const domains = opts.domains ?? ['localhost'];
  const dir = mkdtempSync(join(tmpdir(), 'parley-e2e-restart-'));
  const dataDir = join(dir, 'data');
  const [c2s, directTls, http, https] = await freePorts(4);
  const loopback = ['127.0.0.1'];
  const config = deepMerge({
    domains,
    data_dir: dataDir,
    c2s: { port: c2s, direct_tls_port: directTls, interfaces: loopback },
    s2s: { port: 0, direct_tls_port: 0, interfaces: loopback },
    http: { port: http, https_port: https, interfaces: loopback },
    tls: { certificate: testCert, key: testKey },
    auth: { scram_iterations: 4096 },
    log: { level: 'info' },
  }, opts.config ?? {});
  const configPath = join(dir, 'parley.toml');
  writeFileSync(configPath, stringify(config));

  let proc: ParleyProcess | null = null;
  let earlierLogs = '';
  const launch = async () => {
    const p = launchParley(['start', '--config', configPath], { env: opts.env });
    try {
      await p.waitForLog(/"msg":"parley ready"/, opts.readyTimeoutMs ?? 60_000);
    } catch (e) {
      await p.stop();
      throw e;
    }
    proc = p;
  };
  try {
    await launch();
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  let removed: Promise<void> | null = null;
  return {
    domain: domains[0],
    ports: { c2s, http },
    dataDir,
    configPath,
    logs: () => earlierLogs + (proc?.logs() ?? ''),
    async restart() {
      if (proc) {
        earlierLogs += proc.logs();
        const ended = await proc.stop();
        if (ended.killed) throw new Error('parley did not stop within the grace period');
        proc = null;
      }
      await launch();
    },
    remove() {
      removed ??= (async () => {
        if (proc) await proc.stop();
        proc = null;
        rmSync(dir, { recursive: true, force: true });
      })();
      return removed;
    },
  };
}
