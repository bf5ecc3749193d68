// A long-running `parley` process (normally `start`): its output, its memory, and stopping it.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parleyBin, repoRoot } from './parley-cli.ts';
import { reapOnExit, terminate } from './reaper.ts';

export interface ParleyProcess {
  child: ChildProcess;
  pid: number;
  /** Everything printed on stdout and stderr so far, capped to the most recent part. */
  logs(): string;
  /** Resolves with the first line matching re (lines already printed count); rejects on exit or timeout. */
  waitForLog(re: RegExp, timeoutMs?: number): Promise<string>;
  /** Resident set size in bytes (VmRSS from /proc). */
  rss(): number;
  /** SIGTERM by PID, SIGKILL after graceMs; resolves with how it ended. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; killed: boolean }>;
}

/** Logs are kept for failure messages, not forever: a flood test must not fill the test's memory. */
const MAX_LOG_CHARS = 4 * 1024 * 1024;

export function launchParley(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ParleyProcess {
  const child = spawn(process.execPath, [parleyBin, ...args], {
    cwd: opts.cwd ?? repoRoot,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  reapOnExit(child);
  let log = '';
  const waiters = new Set<() => void>();
  const append = (d: string) => {
    log += d;
    if (log.length > MAX_LOG_CHARS) log = log.slice(log.length - MAX_LOG_CHARS / 2);
    for (const w of waiters) w();
  };
  child.stdout!.setEncoding('utf8').on('data', append);
  child.stderr!.setEncoding('utf8').on('data', append);
  const exited = () => child.exitCode !== null || child.signalCode !== null;

  const waitForLog = (re: RegExp, timeoutMs = 10_000): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = () => {
        const line = log.split('\n').find((l) => re.test(l));
        if (line !== undefined) {
          done();
          resolve(line);
        } else if (exited()) {
          done();
          reject(new Error(`parley ${args.join(' ')} exited (${child.exitCode ?? child.signalCode}) before printing ${re}\n--- its output\n${log}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`parley ${args.join(' ')} did not print ${re} within ${timeoutMs} ms\n--- its output\n${log}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(check);
        child.off('exit', check);
      };
      waiters.add(check);
      child.on('exit', check);
      check();
    });

  return {
    child,
    pid: child.pid!,
    logs: () => log,
    waitForLog,
    rss() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
      if (!kb) throw new Error(`no VmRSS for pid ${child.pid}`);
      return Number(kb[1]) * 1024;
    },
    stop: (graceMs = 5000) => terminate(child, graceMs),
  };
}
