// ejabberd (Debian package 23.01) under test: `ejabberdctl foreground` with a private config dir,
// ejabberd.yml, ejabberdctl.cfg, spool and log dir, run as the `ejabberd` user (ejabberdctl
// insists on it).
// Storage is SQLite (Debian erlang-p1-sqlite3, schema from the package's lite.sql, file in WAL
// mode), as ejabberd recommends for small servers and as Parley uses. Its default, Mnesia, keeps
// each user's archive under one key of a disk-only (dets) bag table, where every insert gets
// slower as the archive grows (a 10,000-message fill did not finish in 5 minutes here).
// No epmd: ERL_DIST_PORT makes ejabberdctl start the node with `-erl_epmd_port P -start_epmd
// false` (OTP 23+), so the node's distribution listener is on a loopback port of our own and
// nothing is shared with other Erlang nodes on the machine (one runs here already).
// The process measured and stopped is the BEAM (beam.smp), found as the launcher's child.
// Accounts: `ejabberdctl register` starts an Erlang VM per call (about 5 s here), so bulk
// creation calls the same `register` command through mod_http_api on a loopback-only listener.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { freePorts } from '../../../test/helpers/ports.ts';
import { reapOnExit, waitForExit } from '../../../test/helpers/reaper.ts';
import { forEachLimited } from '../client/pool.ts';
import { CERT, KEY } from './cert.ts';
import { childrenNamed, cmdline, isAlive, sleep, waitForPort } from './proc.ts';
import type { Account, Peer } from './types.ts';

export const EJABBERDCTL = '/usr/sbin/ejabberdctl';
const SQLITE_SCHEMA = '/usr/share/ejabberd/sql/lite.sql';

/** Why ejabberd cannot be compared here, or null when it can. */
export function ejabberdMissing(): string | null {
  if (!existsSync(EJABBERDCTL)) return 'not installed (Debian package ejabberd)';
  if (!existsSync(SQLITE_SCHEMA) || !readdirSync('/usr/lib/erlang/lib').some((d) => d.startsWith('p1_sqlite3-'))) return 'no SQLite driver (Debian package erlang-p1-sqlite3)';
  return null;
}

function userIds(name: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`no system user ${name} (is the ejabberd package installed?)`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  for (const e of readdirSync(path, { withFileTypes: true })) {
    const p = join(path, e.name);
    if (e.isDirectory()) chownTree(p, uid, gid);
    else chownSync(p, uid, gid);
  }
}

function apiCall(port: number, command: string, body: unknown): Promise<string> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = request({ host: '127.0.0.1', port, path: `/api/${command}`, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(text) : reject(new Error(`ejabberd API ${command}: HTTP ${res.statusCode} ${text}`))));
    });
    req.setTimeout(60_000, () => req.destroy(new Error(`ejabberd API ${command} timed out`)));
    req.on('error', reject);
    req.end(data);
  });
}

export async function startEjabberd(): Promise<Peer> {
  const { uid, gid } = userIds('ejabberd');
  const dir = mkdtempSync(join(tmpdir(), 'ejabberd-compare-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  for (const d of ['spool', 'logs']) mkdirSync(join(dir, d));
  const [c2s, api, dist] = await freePorts(3);
  const pem = join(dir, 'cert.pem');
  const db = join(dir, 'spool', 'ejabberd.db');
  writeFileSync(pem, readFileSync(KEY, 'utf8') + readFileSync(CERT, 'utf8'));
  if (existsSync('/etc/ejabberd/inetrc')) copyFileSync('/etc/ejabberd/inetrc', join(dir, 'inetrc'));
  writeFileSync(join(dir, 'ejabberd.yml'), `
loglevel: warning
hosts:
  - localhost
certfiles:
  - ${JSON.stringify(pem)}
listen:
  -
    port: ${c2s}
    ip: "127.0.0.1"
    module: ejabberd_c2s
    # ejabberd's default listen backlog is 5; 511 is Node's default (Parley) and the Prosody config's.
    backlog: 511
    max_stanza_size: 262144
    starttls_required: true
  -
    port: ${api}
    ip: "127.0.0.1"
    module: ejabberd_http
    request_handlers:
      /api: mod_http_api
auth_password_format: scram
auth_method: sql
default_db: sql
sql_type: sqlite
sql_database: ${JSON.stringify(db)}
acl:
  loopback:
    ip:
      - 127.0.0.0/8
access_rules:
  local:
    allow: all
  c2s:
    allow: all
  muc_create:
    allow: all
api_permissions:
  "console commands":
    from:
      - ejabberd_ctl
    who: all
    what: "*"
  "loopback http api":
    from:
      - mod_http_api
    who:
      acl: loopback
    what: "*"
modules:
  mod_admin_extra: {}
  mod_http_api: {}
  mod_roster:
    versioning: true
  mod_offline: {}
  mod_mam:
    default: always
  mod_carboncopy: {}
  mod_muc:
    access_create: muc_create
    max_users: 1000
    default_room_options:
      mam: true
      max_users: 1000
  mod_disco: {}
  mod_caps: {}
  mod_ping: {}
  mod_pubsub:
    plugins:
      - flat
      - pep
  mod_privacy: {}
  mod_blocking: {}
  mod_vcard: {}
  mod_private: {}
  mod_client_state: {}
  mod_stream_mgmt: {}
  mod_version: {}
`);
  const node = `bench${randomBytes(4).toString('hex')}@localhost`;
  // +sbwt none: BEAM schedulers otherwise spin while idle, which on a machine shared with the load
  // client takes CPU from it; ejabberd's own docker images set the same for containers.
  writeFileSync(join(dir, 'ejabberdctl.cfg'), [
    `ERLANG_NODE=${node}`,
    `ERL_DIST_PORT=${dist}`,
    // The distribution listener on loopback only (ejabberdctl's INET_DIST_INTERFACE would start an
    // extra VM just to parse the address).
    `ERL_OPTIONS="-setcookie ${randomBytes(12).toString('hex')} -kernel inet_dist_use_interface {127,0,0,1} +sbwt none +sbwtdcpu none +sbwtdio none"`,
    '',
  ].join('\n'));
  const schema = new Database(db);
  // WAL is a property of the database file, so ejabberd's connection uses it too: the same
  // journal and durability settings as Parley (WAL, synchronous=FULL, SQLite's default). In the
  // default rollback-journal mode every commit costs several fsyncs.
  schema.pragma('journal_mode = WAL');
  schema.exec(readFileSync(SQLITE_SCHEMA, 'utf8'));
  schema.close();
  chownTree(dir, uid, gid);
  const ctlArgs = ['--config-dir', dir, '--ctl-config', join(dir, 'ejabberdctl.cfg'), '--config', join(dir, 'ejabberd.yml'), '--logs', join(dir, 'logs'), '--spool', join(dir, 'spool')];
  const env = { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', HOME: dir, LANG: 'C.UTF-8' };
  const version = execFileSync('dpkg-query', ['-W', '-f=${Version}', 'ejabberd'], { encoding: 'utf8' }).trim();

  let child: ChildProcess | null = null;
  let beam = 0;
  let out = '';
  const logTail = () => {
    let file = '';
    for (const f of ['ejabberd.log', 'error.log']) {
      try {
        file += readFileSync(join(dir, 'logs', f), 'utf8').slice(-5000);
      } catch {
        /* not written yet */
      }
    }
    return `${out.slice(-10_000)}\n${file}`;
  };
  const start = async () => {
    const c = spawn(EJABBERDCTL, [...ctlArgs, 'foreground'], { cwd: dir, uid, gid, env, stdio: ['ignore', 'pipe', 'pipe'] });
    reapOnExit(c);
    c.stdout!.setEncoding('utf8').on('data', (d: string) => (out = (out + d).slice(-20_000)));
    c.stderr!.setEncoding('utf8').on('data', (d: string) => (out = (out + d).slice(-20_000)));
    child = c;
    const deadline = Date.now() + 30_000;
    // The VM that runs the node (ejabberdctl may start short-lived helper VMs first).
    while (!(beam = childrenNamed(c.pid!, 'beam.smp').find((pid) => cmdline(pid).includes(node)) ?? 0)) {
      if (Date.now() > deadline || c.exitCode !== null) throw new Error(`ejabberd's BEAM did not start\n${logTail()}`);
      await sleep(100);
    }
    try {
      await waitForPort(c2s, 60_000);
      await waitForPort(api, 30_000);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${logTail()}`);
    }
  };
  const stop = async () => {
    if (!child) return;
    // SIGTERM makes the BEAM shut down cleanly (OTP 19.3+); the launcher shell then exits.
    if (beam && isAlive(beam)) process.kill(beam, 'SIGTERM');
    if (!(await waitForExit(child, 20_000))) {
      if (beam && isAlive(beam)) process.kill(beam, 'SIGKILL');
      if (child.pid && isAlive(child.pid)) process.kill(child.pid, 'SIGKILL');
      await waitForExit(child, 5000);
    }
    child = null;
    beam = 0;
  };
  // The launcher is reaped on exit by reapOnExit; the VM is its child and must go too.
  process.on('exit', () => {
    if (beam && isAlive(beam)) process.kill(beam, 'SIGKILL');
  });
  await start();

  return {
    name: 'ejabberd',
    version,
    target: { name: 'ejabberd', host: '127.0.0.1', port: c2s, domain: 'localhost', ca: readFileSync(CERT, 'utf8') },
    mucDomain: 'conference.localhost',
    notes: ['SQLite storage (WAL, synchronous=FULL), BEAM with +sbwt none', 'modules: roster, offline, mam, carbons, muc, pubsub/pep, blocking, vcard, private, csi, stream_mgmt, caps'],
    pid: () => beam,
    async createAccounts(accounts: Account[], onProgress) {
      let done = 0;
      await forEachLimited(accounts.length, 8, async (i) => {
        const reply = await apiCall(api, 'register', { user: accounts[i].username, host: 'localhost', password: accounts[i].password });
        if (!reply.includes('successfully registered')) throw new Error(`ejabberd register ${accounts[i].username}: ${reply}`);
        if (++done % 500 === 0) onProgress?.(done);
      });
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
