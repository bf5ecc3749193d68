// Prosody (Debian package) under test: `prosody -F` with its own config, data dir and loopback
// port, the modules matching what Parley offers. Storage: SQLite through mod_storage_sql (Debian
// lua-dbi-sqlite3; the file in WAL mode, synchronous=FULL, as Parley's) or Prosody's default
// internal file storage, which does not fsync and re-reads a user's whole archive on each append
// once more users are active than its item-count cache holds (1,000 by default). Accounts are
// created with prosodyctl: `prosodyctl register` starts one Lua process per account, so bulk
// creation pipes `user:create(...)` lines into `prosodyctl shell` (mod_admin_shell), the same
// call through one process.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from '../../../test/helpers/ports.ts';
import { reapOnExit, terminate } from '../../../test/helpers/reaper.ts';
import { CERT, KEY } from './cert.ts';
import { waitForPort } from './proc.ts';
import type { Account, Peer } from './types.ts';

const q = (s: string) => JSON.stringify(s);
const luaString = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

export type ProsodyStorage = 'sql' | 'internal';

/** Whether Prosody can use SQLite here (the DBI driver for its Lua version). */
export function prosodySqliteAvailable(): boolean {
  return ['5.1', '5.2', '5.3', '5.4'].some((v) => existsSync(`/usr/lib/x86_64-linux-gnu/lua/${v}/dbd/sqlite3.so`) || existsSync(`/usr/lib/aarch64-linux-gnu/lua/${v}/dbd/sqlite3.so`));
}

export async function startProsody(storage: ProsodyStorage = 'sql'): Promise<Peer> {
  const dir = mkdtempSync(join(tmpdir(), 'prosody-compare-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'data'));
  mkdirSync(join(dir, 'certs'));
  const sqlite = join(dir, 'data', 'prosody.sqlite');
  if (storage === 'sql') {
    // WAL is stored in the file, so Prosody's connection gets it (it sets no pragmas itself).
    const db = new Database(sqlite);
    db.pragma('journal_mode = WAL');
    db.close();
  }
  const [c2s] = await freePorts(1);
  const cfg = join(dir, 'prosody.cfg.lua');
  writeFileSync(cfg, `
run_as_root = true
pidfile = ${q(join(dir, 'prosody.pid'))}
data_path = ${q(join(dir, 'data'))}
admin_socket = ${q(join(dir, 'admin.sock'))}
interfaces = { "127.0.0.1" }
c2s_ports = { ${c2s} }
c2s_direct_tls_ports = {}
s2s_ports = {}
s2s_direct_tls_ports = {}
http_ports = {}
https_ports = {}
-- Same listen backlog as Node's default (Parley) and the ejabberd config, and TCP_NODELAY as
-- Parley and ejabberd set it: with Prosody's default (Nagle on) a reply written in several pieces
-- waits for the client's delayed ACK, about 40 ms (seen here on MAM pages and logins).
network_settings = { tcp_backlog = 511; nagle = false }
c2s_require_encryption = true
authentication = "internal_hashed"
log = { warn = ${q(join(dir, 'prosody.log'))} }
certificates = ${q(join(dir, 'certs'))}
${storage === 'sql' ? `storage = "sql"
sql = { driver = "SQLite3"; database = ${q(sqlite)} }` : '-- storage: internal (files in data_path)'}
modules_enabled = {
  "roster"; "saslauth"; "tls"; "disco"; "carbons"; "mam"; "ping"; "pep"; "blocklist";
  "vcard_legacy"; "vcard4"; "private"; "csi_simple"; "smacks"; "version"; "time"; "admin_shell";
}
-- mod_offline, mod_presence, mod_message and mod_iq are loaded automatically.
default_archive_policy = true
archive_expires_after = "never"
ssl = { key = ${q(KEY)}; certificate = ${q(CERT)} }
VirtualHost "localhost"
Component "conference.localhost" "muc"
  modules_enabled = { "muc_mam" }
`);
  const version = execFileSync('dpkg-query', ['-W', '-f=${Version}', 'prosody'], { encoding: 'utf8' }).trim();

  let child: ChildProcess | null = null;
  let out = '';
  const logFile = join(dir, 'prosody.log');
  const logTail = () => {
    let file = '';
    try {
      file = readFileSync(logFile, 'utf8').slice(-10_000);
    } catch {
      /* not written yet */
    }
    return `${out.slice(-10_000)}\n${file}`;
  };
  const start = async () => {
    const c = spawn('prosody', ['--config', cfg, '-F'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    reapOnExit(c);
    c.stdout!.setEncoding('utf8').on('data', (d: string) => (out = (out + d).slice(-20_000)));
    c.stderr!.setEncoding('utf8').on('data', (d: string) => (out = (out + d).slice(-20_000)));
    child = c;
    try {
      await waitForPort(c2s, 30_000);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${logTail()}`);
    }
  };
  const stop = async () => {
    if (child) await terminate(child, 15_000);
    child = null;
  };
  await start();

  return {
    name: 'prosody',
    version,
    target: { name: 'prosody', host: '127.0.0.1', port: c2s, domain: 'localhost', ca: readFileSync(CERT, 'utf8') },
    mucDomain: 'conference.localhost',
    notes: [storage === 'sql' ? 'SQLite storage via mod_storage_sql (WAL, synchronous=FULL), epoll' : 'internal (file) storage, epoll', 'modules: roster, carbons, mam, muc + muc_mam, pep, blocklist, vcard, private, csi, smacks, offline'],
    pid: () => child!.pid!,
    async createAccounts(accounts: Account[], onProgress) {
      const CHUNK = 500;
      for (let i = 0; i < accounts.length; i += CHUNK) {
        const lines = accounts.slice(i, i + CHUNK).map((a) => `user:create(${luaString(`${a.username}@localhost`)}, ${luaString(a.password)})\n`).join('');
        const shellOut = execFileSync('prosodyctl', ['--config', cfg, 'shell'], { input: lines, encoding: 'utf8', maxBuffer: 64 << 20, timeout: 600_000 });
        const ok = (shellOut.match(/OK: User created/g) ?? []).length;
        const want = Math.min(CHUNK, accounts.length - i);
        if (ok !== want) throw new Error(`prosodyctl shell created ${ok} of ${want} accounts:\n${shellOut.slice(-2000)}`);
        onProgress?.(i + want);
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
    logTail,
  };
}
