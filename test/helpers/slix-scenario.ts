// Runs slix_xeps.py (slixmpp's own XEP-0077 / XEP-0280 / XEP-0050 plugins) and follows the JSON
// lines it prints, like slixmpp.ts does for logins. Skip tests with skipUnless('slixmpp').
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reapOnExit, terminate } from './reaper.ts';
import { testCert } from './server.ts';
import { python, type SlixEvent } from './slixmpp.ts';

const script = resolve(fileURLToPath(import.meta.url), '../slix_xeps.py');

export interface ScenarioOptions {
  scenario: 'register' | 'carbons' | 'adhoc';
  port: number;
  jid: string;
  password: string;
  resource?: string;
  presence?: boolean;
  priority?: number;
  stay?: boolean;
  /** register scenario: the account exists already; log in without registering. */
  existing?: boolean;
  changePassword?: string;
  cancel?: boolean;
  sendTo?: string[];
  body?: string;
  private?: boolean;
  waitCarbons?: number;
  command?: string;
  fields?: Record<string, string>;
  timeoutSeconds?: number;
}

export interface ScenarioRun {
  events: SlixEvent[];
  waitForEvent(name: string, timeoutMs?: number, where?: (e: SlixEvent) => boolean): Promise<SlixEvent>;
  exited: Promise<{ code: number | null }>;
  transcript(): string;
  kill(): Promise<void>;
}

function args(o: ScenarioOptions): string[] {
  const a = [script, o.scenario, '--jid', o.jid, '--password', o.password, '--port', String(o.port), '--ca', testCert, '--timeout', String(o.timeoutSeconds ?? 20)];
  if (o.resource) a.push('--resource', o.resource);
  if (o.presence) a.push('--presence');
  if (o.priority !== undefined) a.push('--priority', String(o.priority));
  if (o.stay) a.push('--stay');
  if (o.existing) a.push('--existing');
  if (o.changePassword) a.push('--change-password', o.changePassword);
  if (o.cancel) a.push('--cancel');
  for (const to of o.sendTo ?? []) a.push('--send-to', to);
  if (o.body !== undefined) a.push('--body', o.body);
  if (o.private) a.push('--private');
  if (o.waitCarbons !== undefined) a.push('--wait-carbons', String(o.waitCarbons));
  if (o.command) a.push('--command', o.command);
  for (const [k, v] of Object.entries(o.fields ?? {})) a.push('--field', `${k}=${v}`);
  return a;
}

export function runSlixScenario(o: ScenarioOptions): ScenarioRun {
  const child = spawn(python, args(o), { stdio: ['ignore', 'pipe', 'pipe'] });
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
  const done = new Promise<{ code: number | null }>((r) => child.on('close', (code) => {
    exited = true;
    for (const w of wake) w();
    r({ code });
  }));
  const transcript = () => `slixmpp ${o.scenario} ${o.jid} printed:\n${events.map((e) => `  ${JSON.stringify(e)}`).join('\n') || '  (nothing)'}${stderr ? `\nstderr:\n${stderr.slice(-4000)}` : ''}`;
  return {
    events,
    exited: done,
    transcript,
    waitForEvent(name, timeoutMs = 15_000, where = () => true) {
      return new Promise((res, rej) => {
        const check = () => {
          const hit = events.find((e) => e.event === name && where(e));
          if (hit) {
            stop();
            res(hit);
          } else if (exited) {
            stop();
            rej(new Error(`slixmpp exited without a "${name}" event\n${transcript()}`));
          }
        };
        const timer = setTimeout(() => {
          stop();
          rej(new Error(`no "${name}" event from slixmpp within ${timeoutMs} ms\n${transcript()}`));
        }, timeoutMs);
        const stop = () => {
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
