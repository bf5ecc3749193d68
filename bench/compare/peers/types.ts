// What the harness needs from each server under comparison. Every peer runs as a child process
// of the harness with its own config file, data directory and loopback ports, and is stopped by PID.
import type { Target } from '../client/connection.ts';

export type PeerName = 'parley' | 'prosody' | 'ejabberd';

export const PEER_LABELS: Record<PeerName, string> = { parley: 'Parley', prosody: 'Prosody', ejabberd: 'ejabberd' };

export interface Account {
  username: string;
  password: string;
}

export interface Peer {
  readonly name: PeerName;
  /** e.g. "0.12.3-1+deb12u1". */
  readonly version: string;
  readonly target: Target;
  /** The MUC service (XEP-0045) domain. */
  readonly mucDomain: string;
  /** Configuration facts worth printing beside the numbers (storage, deviations from defaults). */
  readonly notes: string[];
  /** The process whose memory and CPU time are measured (the VM itself for ejabberd). */
  pid(): number;
  /** Create accounts with the server's own tooling. */
  createAccounts(accounts: Account[], onProgress?: (done: number) => void): Promise<void>;
  /** Stop and start again on the same data (a fresh process for memory measurements). */
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** The end of the server's log, for error messages. */
  logTail(): string;
}

export interface PeerOptions {
  /** Parley only: run with node --cpu-prof, profiles written into this directory on stop. */
  cpuProfileDir?: string;
  /** Parley only: the script node runs instead of bin/parley.js (bench/memory-per-conn.ts: a private bundle). */
  launcher?: string;
  /** Parley only: extra environment for the server process (e.g. NODE_OPTIONS for a measurement). */
  env?: NodeJS.ProcessEnv;
}
