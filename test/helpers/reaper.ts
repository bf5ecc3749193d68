// Child processes a test started are killed when the test process ends, however it ends,
// so a failed or timed-out test never leaves a server or client running.
import type { ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();
let installed = false;

function killAll(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
  live.clear();
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAll);
  // The test runner stops a file that runs too long with a signal; 'exit' does not run then.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
    });
  }
}

/** Track a child until it exits; it is SIGKILLed if this process ends first. */
export function reapOnExit(child: ChildProcess): void {
  install();
  live.add(child);
  child.once('exit', () => live.delete(child));
}

/** Wait for a child to exit: true if it did within timeoutMs. */
export function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, timeoutMs);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

/** SIGTERM by PID, then SIGKILL if it has not exited after graceMs. Resolves with how it ended. */
export async function terminate(child: ChildProcess, graceMs = 5000): Promise<{ code: number | null; signal: NodeJS.Signals | null; killed: boolean }> {
  let killed = false;
  if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
    try {
      process.kill(child.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    if (!(await waitForExit(child, graceMs))) {
      killed = true;
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
      await waitForExit(child, 5000);
    }
  }
  return { code: child.exitCode, signal: child.signalCode, killed };
}
