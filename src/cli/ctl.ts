// parley status | stop | ctl <command> [args]: talk to the running server over its admin socket
// (<data_dir>/parley.sock). Plain text for people, --json for scripts. Exit codes: 0 ok, 1 the
// command failed, 3 the server is not running (as LSB `status` does).
import type { Config } from '../config/schema.ts';
import { request, NotRunning } from '../admin-socket/client.ts';
import { socketPath } from '../admin-socket/protocol.ts';
import { COMMANDS } from '../admin-socket/commands.ts';

const NOT_RUNNING = 3;

function print(value: unknown, json: boolean): void {
  if (json) return void process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  if (Array.isArray(value)) {
    if (!value.length) return void process.stdout.write('(none)\n');
    for (const row of value) process.stdout.write(`${typeof row === 'object' && row ? Object.values(row).map((v) => (v === null ? '-' : String(v))).join('\t') : String(row)}\n`);
    return;
  }
  if (typeof value === 'object' && value) {
    for (const [k, v] of Object.entries(value)) process.stdout.write(`${k}: ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}\n`);
    return;
  }
  process.stdout.write(`${String(value)}\n`);
}

async function call(config: Config, cmd: string, args: string[], json: boolean): Promise<number> {
  try {
    const res = await request(socketPath(config.data_dir), cmd, args);
    if (!res.ok) {
      process.stderr.write(`error: ${res.error}\n`);
      return 1;
    }
    print(res.result, json);
    return 0;
  } catch (e) {
    if (e instanceof NotRunning) {
      process.stderr.write(`${e.message}\n`);
      return NOT_RUNNING;
    }
    process.stderr.write(`error: ${(e as Error).message}\n`);
    return 1;
  }
}

export function cmdStatus(config: Config, json: boolean): Promise<number> {
  return call(config, 'status', [], json);
}

export async function cmdCtl(config: Config, args: string[], json: boolean): Promise<number> {
  const [cmd, ...rest] = args;
  if (!cmd || cmd === 'help') {
    process.stdout.write(`parley ctl <command> [args]\n\n${Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(10)}${c.help}`).join('\n')}\n`);
    return cmd ? 0 : 2;
  }
  return call(config, cmd, rest, json);
}

function exited(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Ask the server to stop and wait (bounded) until its process has exited. */
export async function cmdStop(config: Config, timeoutMs = 30_000): Promise<number> {
  let res;
  try {
    res = await request(socketPath(config.data_dir), 'stop');
  } catch (e) {
    if (e instanceof NotRunning) {
      process.stdout.write(`${e.message}\n`);
      return 0;
    }
    process.stderr.write(`error: ${(e as Error).message}\n`);
    return 1;
  }
  if (!res.ok) return void process.stderr.write(`error: ${res.error}\n`), 1;
  const pid = (res.result as { pid: number }).pid;
  const deadline = Date.now() + timeoutMs;
  while (!exited(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (!exited(pid)) {
    process.stderr.write(`error: process ${pid} did not exit within ${timeoutMs / 1000} s\n`);
    return 1;
  }
  process.stdout.write(`stopped (pid ${pid})\n`);
  return 0;
}
