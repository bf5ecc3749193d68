// The local admin socket: a unix socket in the data directory (0600: only the server's user may
// connect) through which `parley ctl|status|stop` talk to the running server. One JSON request
// per line, one JSON answer per line (protocol.ts); commands are in commands.ts.
import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../observability/log.ts';
import { COMMANDS, CommandError, type AdminTarget } from './commands.ts';
import { MAX_LINE, type AdminRequest, type AdminResponse } from './protocol.ts';

/** Whether something answers on the socket path (a stale file from a crashed process does not). */
function alive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

async function answer(target: AdminTarget, line: string, log: Logger): Promise<AdminResponse> {
  let req: AdminRequest;
  try {
    req = JSON.parse(line) as AdminRequest;
  } catch {
    return { ok: false, error: 'request is not JSON' };
  }
  const command = typeof req.cmd === 'string' && Object.hasOwn(COMMANDS, req.cmd) ? COMMANDS[req.cmd] : undefined;
  if (!command) return { ok: false, error: `unknown command: ${String(req.cmd)} (known: ${Object.keys(COMMANDS).join(', ')})` };
  const args = Array.isArray(req.args) ? req.args.map(String) : [];
  try {
    log.info({ cmd: req.cmd, args }, 'admin socket command');
    return { ok: true, result: await command.run(target, args) };
  } catch (e) {
    if (!(e instanceof CommandError)) log.error({ err: e, cmd: req.cmd }, 'admin socket command failed');
    return { ok: false, error: (e as Error).message };
  }
}

function serve(socket: Socket, target: AdminTarget, log: Logger): void {
  let buffer = '';
  let queue = Promise.resolve();
  socket.setEncoding('utf8');
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    if (buffer.length > MAX_LINE && !buffer.includes('\n')) return void socket.end(`${JSON.stringify({ ok: false, error: 'request too long' })}\n`);
    let i: number;
    while ((i = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, i).trim();
      buffer = buffer.slice(i + 1);
      if (!line) continue;
      // Answers go out in request order.
      queue = queue.then(async () => {
        const res = await answer(target, line, log);
        if (!socket.destroyed) socket.write(`${JSON.stringify(res)}\n`);
      });
    }
  });
}

/** Another live server already owns the socket: this one must not start (same data_dir twice). */
export class AdminSocketInUse extends Error {}

/** Longest unix socket path Linux accepts (sun_path is 108 bytes with its terminating NUL). */
export const MAX_SOCKET_PATH = 107;

export interface AdminSocket {
  path: string;
  close(): Promise<void>;
}

export async function startAdminSocket(path: string, target: AdminTarget, log: Logger): Promise<AdminSocket> {
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH) throw new Error(`${path} is longer than the ${MAX_SOCKET_PATH} bytes a unix socket path may have`);
  if (existsSync(path)) {
    if (await alive(path)) throw new AdminSocketInUse(`another Parley process answers on ${path} (same data_dir?)`);
    unlinkSync(path);
  }
  const server: Server = createServer((s) => serve(s, target, log));
  // Created 0600 from the start (umask), not chmod-ed after a window in which anyone could connect.
  const umask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => resolve());
    });
  } finally {
    process.umask(umask);
  }
  chmodSync(path, 0o600);
  log.info({ path }, 'admin socket listening');
  return {
    path,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if (existsSync(path)) unlinkSync(path);
      }),
  };
}
