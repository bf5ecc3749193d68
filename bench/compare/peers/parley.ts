// Parley under test: `parley start` from this checkout (bin/parley.js through tsx, as users run
// it), SQLite in a temp data dir, loopback ports, the fixture certificate. Accounts are written
// with src/accounts straight into the SQLite file, as `parley adduser` does (safe while the server
// runs: WAL with a busy timeout, and the server keeps no account cache).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'smol-toml';
import { Accounts } from '../../../src/accounts/index.ts';
import { loadConfig } from '../../../src/config/loader.ts';
import { createStorage } from '../../../src/storage/index.ts';
import { freePorts } from '../../../test/helpers/ports.ts';
import { reapOnExit, terminate } from '../../../test/helpers/reaper.ts';
import { forEachLimited } from '../client/pool.ts';
import { waitForPort } from './proc.ts';
import type { Account, Peer, PeerOptions } from './types.ts';
import { CERT, KEY } from './cert.ts';

export const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../..');

export async function startParley(o: PeerOptions = {}): Promise<Peer> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-compare-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const [c2s, http, https] = await freePorts(3);
  const loopback = ['127.0.0.1'];
  const configPath = join(dir, 'parley.toml');
  writeFileSync(configPath, stringify({
    domains: ['localhost'],
    data_dir: join(dir, 'data'),
    c2s: {
      port: c2s,
      direct_tls_port: 0,
      interfaces: loopback,
      // The load comes from 16 loopback addresses at hundreds of logins a second; the admission
      // limits (RFC 6120 §13.12) would refuse it. Prosody and ejabberd have none configured.
      max_connections: 200_000,
      max_connections_per_ip: 100_000,
      connection_rate_per_ip: 100_000,
      connection_burst_per_ip: 100_000,
      // Nor per-stream stanza/byte limits (Prosody's mod_limits and ejabberd's shapers are off here too).
      stanza_rate: 1_000_000,
      stanza_burst: 1_000_000,
      byte_rate: 1 << 30,
      byte_burst: 1 << 30,
    },
    s2s: { port: 0, direct_tls_port: 0, interfaces: loopback },
    components: { port: 0 },
    http: { port: http, https_port: https, interfaces: loopback },
    tls: { certificate: CERT, key: KEY },
    // ejabberd's default; the server does no PBKDF2 at login (it stores SCRAM keys) and the load
    // client caches its side, so this only makes account creation quicker.
    auth: { scram_iterations: 4096 },
    log: { level: 'warn' },
    modules: {
      roster: { max_items: 5000 },
      // Same room size limit as the ejabberd config; Prosody 0.12 has none.
      muc: { default_max_users: 1000 },
    },
  }));
  const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

  let child: ChildProcess | null = null;
  let out = '';
  const start = async () => {
    // Node names each thread's profile CPU.<date>.<time>.<pid>.<tid>.<seq>.cpuprofile (tsx's loader
    // runs on a thread of its own and writes one too).
    const nodeArgs = o.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', o.cpuProfileDir] : [];
    const c = spawn(process.execPath, [...nodeArgs, o.launcher ?? join(repoRoot, 'bin/parley.js'), 'start', '--config', configPath], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: o.env ? { ...process.env, ...o.env } : undefined });
    reapOnExit(c);
    c.stdout!.setEncoding('utf8').on('data', (d: string) => (out = (out + d).slice(-20_000)));
    c.stderr!.setEncoding('utf8').on('data', (d: string) => (out = (out + d).slice(-20_000)));
    child = c;
    try {
      await waitForPort(c2s, 60_000);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${out}`);
    }
  };
  const stop = async () => {
    if (child) await terminate(child, 15_000);
    child = null;
  };
  await start();

  return {
    name: 'parley',
    version,
    target: { name: 'parley', host: '127.0.0.1', port: c2s, domain: 'localhost', ca: readFileSync(CERT, 'utf8') },
    mucDomain: 'conference.localhost',
    notes: ['SQLite (WAL, synchronous=FULL), all built-in modules', 'c2s per-address admission limits raised'],
    pid: () => child!.pid!,
    async createAccounts(accounts: Account[], onProgress) {
      const { config } = loadConfig(configPath);
      const storage = await createStorage(config);
      try {
        const a = new Accounts(storage, config.c2s.scram_hashes, config.auth.scram_iterations);
        let done = 0;
        await forEachLimited(accounts.length, 8, async (i) => {
          await a.create(accounts[i].username, 'localhost', accounts[i].password);
          if (++done % 500 === 0) onProgress?.(done);
        });
      } finally {
        await storage.close();
      }
    },
    restart: async () => {
      await stop();
      await start();
    },
    async stop() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
    logTail: () => out,
  };
}
