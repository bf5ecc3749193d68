// Runs slix_mam.py (slixmpp as an XEP-0313 client) and follows the JSON lines it prints.
// A new helper beside slixmpp.ts, reusing its python path and the process reaper.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reapOnExit, terminate } from './reaper.ts';
import { testCert } from './server.ts';
import { python, type SlixEvent } from './slixmpp.ts';

const script = resolve(fileURLToPath(import.meta.url), '../slix_mam.py');

export interface SlixMamOptions {
  port: number;
  jid: string;
  password: string;
  waitMessages: number;
  withJid?: string;
  timeoutSeconds?: number;
}

export interface SlixMamRun {
  events: SlixEvent[];
  waitForEvent(name: string, timeoutMs?: number): Promise<SlixEvent>;
  exited: Promise<number | null>;
  transcript(): string;
  kill(): Promise<void>;
}

export function runSlixMam(o: SlixMamOptions): SlixMamRun {
  const args = [script, '--jid', o.jid, '--password', o.password, '--port', String(o.port), '--ca', testCert, '--wait-messages', String(o.waitMessages), '--timeout', String(o.timeoutSeconds ?? 30)];
  if (o.withJid) args.push('--with-jid', o.withJid);
  const child = spawn(python, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  reapOnExit(child);
  const events: SlixEvent[] = [];
  const wake = new Set<() => void>();
  let rest = '';
  let stderr = '';
  let done = false;
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
  const exited = new Promise<number | null>((r) => child.on('close', (code) => {
    done = true;
    for (const w of wake) w();
    r(code);
  }));
  const transcript = () => `slix_mam ${o.jid} printed:\n${events.map((e) => `  ${JSON.stringify(e)}`).join('\n') || '  (nothing)'}${stderr ? `\nstderr:\n${stderr.slice(-4000)}` : ''}`;
  return {
    events,
    exited,
    transcript,
    waitForEvent(name, timeoutMs = 20_000) {
      return new Promise((res, rej) => {
        const check = () => {
          const hit = events.find((e) => e.event === name);
          if (hit) finish(() => res(hit));
          else if (done) finish(() => rej(new Error(`slix_mam exited without "${name}"\n${transcript()}`)));
        };
        const timer = setTimeout(() => finish(() => rej(new Error(`no "${name}" from slix_mam within ${timeoutMs} ms\n${transcript()}`))), timeoutMs);
        const finish = (f: () => void) => {
          clearTimeout(timer);
          wake.delete(check);
          f();
        };
        wake.add(check);
        check();
      });
    },
    kill: async () => void (await terminate(child, 2000)),
  };
}
