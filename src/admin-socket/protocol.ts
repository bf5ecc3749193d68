// The local admin socket's wire format: one JSON object per line each way. A request names a
// command and its arguments; the answer is { ok: true, result } or { ok: false, error }.
// Only processes that can open the socket file (owner only, 0600) can talk to it.
import { join } from 'node:path';

export interface AdminRequest {
  cmd: string;
  args?: string[];
}

export type AdminResponse = { ok: true; result: unknown } | { ok: false; error: string };

/** Longest request line accepted; commands are short. */
export const MAX_LINE = 16 * 1024;

/** Where the running server listens: beside its database in the data directory. */
export function socketPath(dataDir: string): string {
  return join(dataDir, 'parley.sock');
}
