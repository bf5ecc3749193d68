// slixmpp (Python) as a second, independent client implementation: runs slix_client.py and
// follows the JSON lines it prints. Skip tests with skipUnless('slixmpp') where it may be missing.
import type { ChildProcess } from 'node:child_process';
import { loginArgs, spawnSlix, type SlixEvent } from './slix-process.ts';

export { python, type SlixEvent } from './slix-process.ts';

export interface SlixOptions {
  port: number;
  host?: string;
  directTls?: boolean;
  jid: string;
  password: string;
  /** Force exactly this SASL mechanism (SCRAM-SHA-1, SCRAM-SHA-256-PLUS, PLAIN, ...). */
  mechanism?: string;
  /** Channel binding type for -PLUS mechanisms (default tls-server-end-point; see slix_client.py). */
  cbType?: 'tls-server-end-point' | 'tls-unique';
  /** Keep slixmpp's own channel-binding behaviour (tls-unique, gs2 'y' for non -PLUS). */
  stockChannelBinding?: boolean;
  tlsMax?: '1.2' | '1.3';
  ca?: string;
  presence?: boolean;
  priority?: number;
  sendTo?: string[];
  body?: string;
  count?: number;
  waitMessages?: number;
  timeoutSeconds?: number;
}

export interface SlixRun {
  child: ChildProcess;
  events: SlixEvent[];
  /** Resolves with the first event of this name (or matching the predicate); rejects on exit or timeout. */
  waitForEvent(name: string, timeoutMs?: number, where?: (e: SlixEvent) => boolean): Promise<SlixEvent>;
  /** Resolves when the script exits. */
  exited: Promise<{ code: number | null; events: SlixEvent[]; stderr: string }>;
  /** What it printed, for assertion messages. */
  transcript(): string;
  kill(): Promise<void>;
}

function args(o: SlixOptions): string[] {
  const a = loginArgs(o, o.timeoutSeconds ?? 30);
  if (o.directTls) a.push('--direct-tls');
  if (o.mechanism) a.push('--mechanism', o.mechanism);
  if (o.cbType) a.push('--cb-type', o.cbType);
  if (o.stockChannelBinding) a.push('--stock-channel-binding');
  if (o.tlsMax) a.push('--tls-max', o.tlsMax);
  if (o.presence) a.push('--presence');
  if (o.priority !== undefined) a.push('--priority', String(o.priority));
  for (const to of o.sendTo ?? []) a.push('--send-to', to);
  if (o.body !== undefined) a.push('--body', o.body);
  if (o.count !== undefined) a.push('--count', String(o.count));
  if (o.waitMessages !== undefined) a.push('--wait-messages', String(o.waitMessages));
  return a;
}

export function runSlixmpp(o: SlixOptions): SlixRun {
  const label = `slixmpp ${o.jid} (${o.mechanism ?? 'any mechanism'}, ${o.directTls ? 'Direct TLS' : 'STARTTLS'})`;
  const p = spawnSlix('slix_client.py', args(o), { label, waitMs: 30_000 });
  return {
    child: p.child,
    events: p.events,
    exited: p.exited.then((code) => ({ code, events: p.events, stderr: p.stderr() })),
    transcript: p.transcript,
    waitForEvent: p.waitForEvent,
    kill: () => p.kill(),
  };
}
