// Drives slix_muc.py: slixmpp's own XEP-0045 plugin as a second MUC client implementation.
// Commands go to its stdin as JSON lines; request() sends one and resolves with its answer
// ({event: 'result', ...} or {event: 'error', condition}).
//   const bob = await startSlixMuc({ port, jid: 'bob@localhost', password });
//   const joined = await bob.request({ op: 'join', room, nick: 'Bob', maxstanzas: 2 });
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reapOnExit, terminate } from './reaper.ts';
import { testCert } from './server.ts';
import { python, type SlixEvent } from './slixmpp.ts';

const script = resolve(fileURLToPath(import.meta.url), '../slix_muc.py');

export interface SlixMuc {
  child: ChildProcess;
  jid: string;
  request(cmd: Record<string, unknown>, timeoutMs?: number): Promise<SlixEvent>;
  /** First unclaimed event of that name matching `where` (printed earlier counts). */
  waitForEvent(name: string, timeoutMs?: number, where?: (e: SlixEvent) => boolean): Promise<SlixEvent>;
  transcript(): string;
  quit(): Promise<void>;
}

let tagSeq = 0;

export async function startSlixMuc(o: { port: number; jid: string; password: string; timeoutSeconds?: number }): Promise<SlixMuc> {
  const child = spawn(python, [script, '--jid', o.jid, '--password', o.password, '--port', String(o.port), '--ca', testCert, '--timeout', String(o.timeoutSeconds ?? 60)], { stdio: ['pipe', 'pipe', 'pipe'] });
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
        events.push({ event: 'unparsed', line }); // slixmpp 1.8.3's join_muc_wait prints delays
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
  const transcript = () => `slixmpp MUC peer ${o.jid} printed:\n${events.map((e) => `  ${JSON.stringify(e)}`).join('\n') || '  (nothing)'}${stderr ? `\nstderr:\n${stderr.slice(-4000)}` : ''}`;
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
  const peer: SlixMuc = {
    child,
    jid: '',
    transcript,
    waitForEvent,
    request(cmd, timeoutMs = 15_000) {
      const tag = `m${++tagSeq}`;
      child.stdin!.write(JSON.stringify({ ...cmd, tag }) + '\n');
      return new Promise((res, rej) => {
        const answer = (e: SlixEvent) => e.tag === tag && ['result', 'error', 'bad_command'].includes(e.event);
        const check = () => {
          const hit = events.find((e) => !claimed.has(e) && answer(e));
          if (hit) {
            claimed.add(hit);
            fin();
            res(hit);
          } else if (exited) {
            fin();
            rej(new Error(`slixmpp exited before answering ${tag}\n${transcript()}`));
          }
        };
        const timer = setTimeout(() => {
          fin();
          rej(new Error(`no answer to ${JSON.stringify(cmd)} within ${timeoutMs} ms\n${transcript()}`));
        }, timeoutMs);
        const fin = () => {
          clearTimeout(timer);
          wake.delete(check);
        };
        wake.add(check);
        check();
      });
    },
    async quit() {
      if (!exited) child.stdin!.write(JSON.stringify({ op: 'quit' }) + '\n');
      const t = setTimeout(() => void terminate(child, 1000), 4000);
      await new Promise<void>((r) => (exited ? r() : child.once('close', () => r())));
      clearTimeout(t);
    },
  };
  try {
    const started = await waitForEvent('session_start', 15_000);
    peer.jid = String(started.jid);
  } catch (e) {
    await terminate(child, 1000);
    throw e;
  }
  return peer;
}
