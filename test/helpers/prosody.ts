// A real Prosody (Debian package) for federation interop tests: own config, data dir and
// loopback ports, started as a child process and stopped by PID.
// Prosody finds remote servers through DNS; this machine has none, so its resolver
// (libunbound) is pointed at a hosts file that maps the Parley domain to a loopback address
// on which the Parley under test listens for s2s on the default port 5269.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from './ports.ts';
import { reapOnExit, terminate } from './reaper.ts';

export interface ProsodyOptions {
  domain: string;
  cert: string;
  key: string;
  /** Domain -> loopback address, written to the resolver's hosts file. */
  hosts: Record<string, string>;
  /** CA file for verifying peers; with secureAuth Prosody requires valid certificates (SASL EXTERNAL). */
  cafile?: string;
  secureAuth?: boolean;
  /** XEP-0363 via mod_http_file_share on upload.<domain>, served over HTTPS on 127.0.0.1 (URLs use the IP). */
  fileShare?: boolean;
}

export interface RunningProsody {
  domain: string;
  c2sPort: number;
  s2sPort: number;
  /** HTTPS port of mod_http_file_share (0 without fileShare). */
  fileSharePort: number;
  register(user: string, password: string): void;
  log(): string;
  stop(): Promise<void>;
}

function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const s = connect({ port, host: '127.0.0.1' });
      s.once('connect', () => {
        s.destroy();
        resolve();
      });
      s.once('error', () => {
        s.destroy();
        if (Date.now() > deadline) reject(new Error(`Prosody did not listen on ${port} within ${timeoutMs} ms`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

export async function startProsody(o: ProsodyOptions): Promise<RunningProsody> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-prosody-'));
  mkdirSync(join(dir, 'data'));
  const [c2sPort, s2sPort, fsPort] = await freePorts(3);
  const fileSharePort = o.fileShare ? fsPort : 0;
  writeFileSync(join(dir, 'hosts'), Object.entries(o.hosts).map(([d, ip]) => `${ip} ${d}\n`).join(''));
  // An unreachable resolver: anything not in the hosts file fails fast instead of leaving the machine.
  writeFileSync(join(dir, 'resolv.conf'), 'nameserver 127.0.0.1\n');
  const cfg = join(dir, 'prosody.cfg.lua');
  const q = (s: string) => JSON.stringify(s);
  writeFileSync(cfg, `
run_as_root = true
pidfile = ${q(join(dir, 'prosody.pid'))}
data_path = ${q(join(dir, 'data'))}
admin_socket = ${q(join(dir, 'admin.sock'))}
interfaces = { "127.0.0.1" }
c2s_ports = { ${c2sPort} }
c2s_direct_tls_ports = {}
s2s_ports = { ${s2sPort} }
s2s_direct_tls_ports = {}
http_ports = {}
https_ports = { ${fileSharePort ? fileSharePort : ''} }
https_interfaces = { "127.0.0.1" }
${fileSharePort ? `https_ssl = { key = ${JSON.stringify(o.key)}; certificate = ${JSON.stringify(o.cert)} }\nhttp_external_url = "https://127.0.0.1:${fileSharePort}/"` : ''}
c2s_require_encryption = true
s2s_require_encryption = true
s2s_secure_auth = ${o.secureAuth ? 'true' : 'false'}
authentication = "internal_hashed"
log = { debug = ${q(join(dir, 'prosody.log'))} }
unbound = { hoststxt = ${q(join(dir, 'hosts'))}; resolvconf = ${q(join(dir, 'resolv.conf'))} }
certificates = ${q(join(dir, 'certs'))}
modules_enabled = { "roster"; "saslauth"; "tls"; "dialback"; "disco"; "presence"; "vcard_legacy"; "vcard4"; "pep"; "ping"; "s2s_auth_certs" }
modules_disabled = { "s2s_bidi" }
ssl = { ${o.cafile ? `cafile = ${q(o.cafile)}; ` : ''}key = ${q(o.key)}; certificate = ${q(o.cert)} }
VirtualHost ${q(o.domain)}
${fileSharePort ? `Component ${q(`upload.${o.domain}`)} "http_file_share"\n  http_host = "127.0.0.1"\n` : ''}`);
  const child = spawn('prosody', ['--config', cfg, '-F'], { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  reapOnExit(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const logFile = join(dir, 'prosody.log');
  const log = () => `${out}\n${existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-20000) : ''}`;
  try {
    await waitForPort(c2sPort, 15_000);
  } catch (e) {
    await terminate(child);
    throw new Error(`${(e as Error).message}\n${log()}`);
  }
  return {
    domain: o.domain,
    c2sPort,
    s2sPort,
    fileSharePort,
    register(user, password) {
      execFileSync('prosodyctl', ['--config', cfg, 'register', user, o.domain, password], { stdio: 'pipe' });
    },
    log,
    async stop() {
      await terminate(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
