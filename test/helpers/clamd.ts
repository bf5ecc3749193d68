// A real clamd (Debian clamav-daemon) for scanning tests: its own config and signature database
// in a temp dir, TCP on a free loopback port, started as a child process and stopped by PID.
// No signature download is possible here, so the database is one .ndb file with a custom
// signature for the EICAR test string; clamd reports it as "Parley.Test.EICAR.UNOFFICIAL".
// The EICAR string is assembled at run time from parts so that this repository never matches a
// scanner itself. Skip tests with skipUnless('clamd') where clamd is missing.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.ts';
import { reapOnExit, terminate } from './reaper.ts';

export const EICAR_SIGNATURE = 'Parley.Test.EICAR.UNOFFICIAL';

/** The 68-byte EICAR anti-virus test file, built from parts (never stored whole). */
export function eicar(): Buffer {
  const parts = ['X5O!P%@AP[4\\PZX54(P^)7CC)7}$', 'EICAR-STANDARD-', 'ANTIVIRUS-TEST-', 'FILE!$H+H*'];
  return Buffer.from(parts.join(''), 'latin1');
}

export interface RunningClamd {
  /** "127.0.0.1:port", as the modules' clamd address option expects. */
  address: string;
  port: number;
  pid(): number | undefined;
  /** Stop clamd (the scanner is then unreachable); start() brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stop and remove the temp dir. */
  dispose(): Promise<void>;
  log(): string;
}

function waitForPort(port: number, timeoutMs: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) return reject(new Error(`clamd exited with ${child.exitCode}`));
      const s = connect({ port, host: '127.0.0.1' });
      s.once('connect', () => {
        s.destroy();
        resolve();
      });
      s.once('error', () => {
        s.destroy();
        if (Date.now() > deadline) reject(new Error(`clamd did not listen on ${port} within ${timeoutMs} ms`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

export async function startClamd(opts: { streamMaxLength?: string } = {}): Promise<RunningClamd> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-clamd-'));
  const db = join(dir, 'db');
  mkdirSync(db);
  writeFileSync(join(db, 'parley-test.ndb'), `Parley.Test.EICAR:0:*:${eicar().toString('hex')}\n`);
  const port = await freePort();
  const conf = join(dir, 'clamd.conf');
  const logFile = join(dir, 'clamd.log');
  writeFileSync(conf, [
    'Foreground yes',
    `DatabaseDirectory ${db}`,
    `TCPSocket ${port}`,
    'TCPAddr 127.0.0.1',
    `LogFile ${logFile}`,
    `PidFile ${join(dir, 'clamd.pid')}`,
    `StreamMaxLength ${opts.streamMaxLength ?? '200M'}`,
    '',
  ].join('\n'));
  let child: ChildProcess | null = null;
  let out = '';
  const start = async () => {
    const c = spawn('clamd', ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    reapOnExit(c);
    c.stdout!.on('data', (d) => (out = (out + d).slice(-20000)));
    c.stderr!.on('data', (d) => (out = (out + d).slice(-20000)));
    child = c;
    try {
      await waitForPort(port, 30_000, c);
    } catch (e) {
      await terminate(c);
      throw new Error(`${(e as Error).message}\n${out}`);
    }
  };
  const stop = async () => {
    if (child) await terminate(child, 5000);
    child = null;
  };
  await start();
  return {
    address: `127.0.0.1:${port}`,
    port,
    pid: () => child?.pid,
    start,
    stop,
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
    log: () => `${out}\n${existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-10000) : ''}`,
  };
}
