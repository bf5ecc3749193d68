// The CLI side of the admin socket: send one request, wait for its answer.
import { connect } from 'node:net';
import type { AdminResponse } from './protocol.ts';

export class NotRunning extends Error {}

export function request(path: string, cmd: string, args: string[] = [], timeoutMs = 15_000): Promise<AdminResponse> {
  return new Promise((resolve, reject) => {
    const s = connect(path);
    let buffer = '';
    const timer = setTimeout(() => (s.destroy(), reject(new Error(`no answer on ${path} within ${timeoutMs} ms`))), timeoutMs);
    s.setEncoding('utf8');
    s.once('connect', () => s.write(`${JSON.stringify({ cmd, args })}\n`));
    s.on('data', (chunk: string) => {
      buffer += chunk;
      const i = buffer.indexOf('\n');
      if (i < 0) return;
      clearTimeout(timer);
      s.end();
      try {
        resolve(JSON.parse(buffer.slice(0, i)) as AdminResponse);
      } catch {
        reject(new Error('the server sent an answer that is not JSON'));
      }
    });
    s.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(e.code === 'ENOENT' || e.code === 'ECONNREFUSED' ? new NotRunning(`Parley is not running (no server on ${path})`) : e);
    });
  });
}
