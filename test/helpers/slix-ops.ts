// Drives slix_ops.py: slixmpp as a scripted peer for IM features. Commands go to its stdin as JSON
// lines, events come back the same way; request() sends one command and waits for its answer.
//   const bob = await startSlixOps({ port, jid: 'bob@localhost', password });
//   await bob.request({ op: 'block', jids: ['alice@localhost'] });
//   const m = await bob.waitForEvent('message', 5000, (e) => e.body === 'hi');
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reapOnExit, terminate } from './reaper.ts';
import { testCert } from './server.ts';
import { python, type SlixEvent } from './slixmpp.ts';

const script = resolve(fileURLToPath(import.meta.url), '../slix_ops.py');

export interface SlixOpsOptions {
  port: number;
  jid: string;
  password: string;
  host?: string;
  timeoutSeconds?: number;
}

export interface SlixOps {
  child: ChildProcess;
  events: SlixEvent[];
  /** The full JID bound. */
  jid: string;
  /** Send a command and resolve with the event that answers it (same tag). */
  request(cmd: Record<string, unknown>, timeoutMs?: number): Promise<SlixEvent>;
  /** First event of that name matching where (already printed ones count) not claimed before. */
  waitForEvent(name: string, timeoutMs?: number, where?: (e: SlixEvent) => boolean): Promise<SlixEvent>;
  transcript(): string;
  quit(): Promise<void>;
}

let tagSeq = 0;

export async function startSlixOps(o: SlixOpsOptions): Promise<SlixOps> {
  const args = [script, '--jid', o.jid, '--password', o.password, '--host', o.host ?? '127.0.0.1', '--port', String(o.port), '--ca', testCert, '--timeout', String(o.timeoutSeconds ?? 60)];
  const child = spawn(python, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  reapOnExit(child);
  const events: SlixEvent[] = [];
  const claimed = new Set<SlixEvent>();
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
    if (stderr.length < 100_000) stderr += d;
  });
  child.on('close', () => {
    exited = true;
    for (const w of wake) w();
  });
  const transcript = () => `slixmpp ${o.jid} printed:\n${events.map((e) => `  ${JSON.stringify(e)}`).join('\n') || '  (nothing)'}${stderr ? `\nstderr:\n${stderr.slice(-4000)}` : ''}`;

  const waitForEvent = (name: string, timeoutMs = 10_000, where: (e: SlixEvent) => boolean = () => true): Promise<SlixEvent> =>
    new Promise((resolvePromise, reject) => {
      const check = () => {
        const hit = events.find((e) => !claimed.has(e) && e.event === name && where(e));
        if (hit) {
          claimed.add(hit);
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

  const write = (cmd: Record<string, unknown>) => child.stdin!.write(JSON.stringify(cmd) + '\n');
  const answers = new Set(['sent', 'result', 'blocklist', 'vcard', 'iq_error', 'iq_timeout', 'exception', 'bad_command']);
  const peer: SlixOps = {
    child,
    events,
    jid: '',
    transcript,
    waitForEvent,
    request(cmd, timeoutMs = 10_000) {
      const tag = `c${++tagSeq}`;
      write({ ...cmd, tag });
      return anyAnswer(tag, timeoutMs);
    },
    async quit() {
      if (!exited) write({ op: 'quit' });
      const t = setTimeout(() => void terminate(child, 1000), 4000);
      await new Promise<void>((r) => (exited ? r() : child.once('close', () => r())));
      clearTimeout(t);
    },
  };
  function anyAnswer(tag: string, timeoutMs: number): Promise<SlixEvent> {
    return new Promise((resolvePromise, reject) => {
      const check = () => {
        const hit = events.find((e) => !claimed.has(e) && e.tag === tag && answers.has(e.event));
        if (hit) {
          claimed.add(hit);
          done();
          resolvePromise(hit);
        } else if (exited) {
          done();
          reject(new Error(`slixmpp exited before answering ${tag}\n${transcript()}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no answer to ${tag} from slixmpp within ${timeoutMs} ms\n${transcript()}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        wake.delete(check);
      };
      wake.add(check);
      check();
    });
  }
  try {
    const started = await waitForEvent('session_start', 15_000);
    peer.jid = String(started.jid);
  } catch (e) {
    await terminate(child, 1000);
    throw e;
  }
  return peer;
}
