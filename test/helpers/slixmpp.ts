// slixmpp (Python) as a second, independent client implementation: runs slix_client.py and
// follows the JSON lines it prints. Skip tests with skipUnless('slixmpp') where it may be missing.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reapOnExit, terminate } from './reaper.ts';
import { testCert } from './server.ts';

const script = resolve(fileURLToPath(import.meta.url), '../slix_client.py');
export const python = '/usr/bin/python3';

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

export interface SlixEvent {
  event: string;
  [field: string]: unknown;
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
  const a = ['--jid', o.jid, '--password', o.password, '--host', o.host ?? '127.0.0.1', '--port', String(o.port), '--ca', o.ca ?? testCert];
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
  a.push('--timeout', String(o.timeoutSeconds ?? 30));
  return a;
}

export function runSlixmpp(o: SlixOptions): SlixRun {
  const child = spawn(python, [script, ...args(o)], { stdio: ['ignore', 'pipe', 'pipe'] });
  reapOnExit(child);
  const events: SlixEvent[] = [];
  const wake = new Set<() => void>();
  let stdoutRest = '';
  let stderr = '';
  let exitedFlag = false;
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    stdoutRest += d;
    const lines = stdoutRest.split('\n');
    stdoutRest = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      try {
        events.push(JSON.parse(line) as SlixEvent);
      } catch {
        events.push({ event: 'unparsed', line });
      }
    }
    for (const w of wake) w();
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.length < 200_000) stderr += d;
  });
  const exited = new Promise<{ code: number | null; events: SlixEvent[]; stderr: string }>((resolvePromise) => {
    child.on('close', (code) => {
      exitedFlag = true;
      for (const w of wake) w();
      resolvePromise({ code, events, stderr });
    });
  });
  const transcript = () => `slixmpp ${o.jid} (${o.mechanism ?? 'any mechanism'}, ${o.directTls ? 'Direct TLS' : 'STARTTLS'}) printed:\n${events.map((e) => `  ${JSON.stringify(e)}`).join('\n') || '  (nothing)'}${stderr ? `\nstderr:\n${stderr.slice(-4000)}` : ''}`;
  return {
    child,
    events,
    exited,
    transcript,
    waitForEvent(name, timeoutMs = 30_000, where = () => true) {
      return new Promise((resolvePromise, reject) => {
        const check = () => {
          const hit = events.find((e) => e.event === name && where(e));
          if (hit) {
            done();
            resolvePromise(hit);
          } else if (exitedFlag) {
            done();
            reject(new Error(`slixmpp exited (${child.exitCode}) without a "${name}" event\n${transcript()}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no "${name}" event from slixmpp within ${timeoutMs} ms\n${transcript()}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          wake.delete(check);
        };
        wake.add(check);
        check();
      });
    },
    async kill() {
      await terminate(child, 2000);
    },
  };
}
