// slixmpp with XEP-0198 as a test peer (slix_sm_client.py), driven by commands: cut the
// connection, reconnect from another address, send, read its counters. Events come back as
// JSON lines, as with slixmpp.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reapOnExit, terminate } from './reaper.ts';
import { testCert } from './server.ts';
import { python, type SlixEvent } from './slixmpp.ts';

const script = resolve(fileURLToPath(import.meta.url), '../slix_sm_client.py');

export interface SlixSm {
  events: SlixEvent[];
  command(line: string): void;
  /** The first event of this name after index `from` matching where; rejects on exit or timeout. */
  waitForEvent(name: string, timeoutMs?: number, where?: (e: SlixEvent) => boolean): Promise<SlixEvent>;
  transcript(): string;
  kill(): Promise<void>;
}

export function runSlixSm(o: { port: number; jid: string; password: string; timeoutSeconds?: number }): SlixSm {
  const args = [script, '--jid', o.jid, '--password', o.password, '--host', '127.0.0.1', '--port', String(o.port), '--ca', testCert, '--timeout', String(o.timeoutSeconds ?? 60)];
  const child: ChildProcess = spawn(python, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  reapOnExit(child);
  const events: SlixEvent[] = [];
  const wake = new Set<() => void>();
  let rest = '';
  let stderr = '';
  let exited = false;
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    rest += d;
    const lines = rest.split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) events.push(JSON.parse(line) as SlixEvent);
    for (const w of wake) w();
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.length < 100_000) stderr += d;
  });
  child.on('close', () => {
    exited = true;
    for (const w of wake) w();
  });
  const transcript = () => `slixmpp (XEP-0198) ${o.jid} printed:\n${events.map((e) => `  ${JSON.stringify(e)}`).join('\n') || '  (nothing)'}${stderr ? `\nstderr:\n${stderr.slice(-4000)}` : ''}`;
  return {
    events,
    transcript,
    command(line) {
      child.stdin!.write(`${line}\n`);
    },
    waitForEvent(name, timeoutMs = 15_000, where = () => true) {
      return new Promise((resolvePromise, reject) => {
        const check = () => {
          const hit = events.find((e) => e.event === name && where(e));
          if (hit) {
            done();
            resolvePromise(hit);
          } else if (exited) {
            done();
            reject(new Error(`slixmpp exited without a "${name}" event\n${transcript()}`));
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
