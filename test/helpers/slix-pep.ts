// Drives slix_pep.py: slixmpp as a PEP peer whose caps (+notify interests) come from slixmpp's own
// XEP-0115/XEP-0163 plugins. Commands go to its stdin as JSON lines, events come back the same way.
//   const ben = await startSlixPep({ port, jid: 'ben@localhost', password, notify: [TUNE] });
//   const ev = await ben.waitForEvent('pubsub_publish', 5000, (e) => e.node === TUNE);
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reapOnExit, terminate } from './reaper.ts';
import { testCert } from './server.ts';
import { python, type SlixEvent } from './slixmpp.ts';

const script = resolve(fileURLToPath(import.meta.url), '../slix_pep.py');

export interface SlixPepOptions {
  port: number;
  jid: string;
  password: string;
  /** Nodes to ask notifications for (besides urn:xmpp:avatar:metadata, which xep_0084 adds). */
  notify?: string[];
  /** Send presence (with caps) once logged in; default true. */
  presence?: boolean;
  timeoutSeconds?: number;
}

export interface SlixPep {
  child: ChildProcess;
  events: SlixEvent[];
  /** Full JID and caps ver, from session_start. */
  jid: string;
  ver: string;
  request(cmd: Record<string, unknown>, timeoutMs?: number): Promise<SlixEvent>;
  /** First not yet claimed event of that name matching `where` (already printed ones count). */
  waitForEvent(name: string, timeoutMs?: number, where?: (e: SlixEvent) => boolean): Promise<SlixEvent>;
  transcript(): string;
  quit(): Promise<void>;
}

let tagSeq = 0;
const ANSWERS = new Set(['result', 'avatar', 'items', 'iq_error', 'iq_timeout', 'exception', 'bad_command']);

export async function startSlixPep(o: SlixPepOptions): Promise<SlixPep> {
  const args = [script, '--jid', o.jid, '--password', o.password, '--port', String(o.port), '--ca', testCert, '--timeout', String(o.timeoutSeconds ?? 60)];
  for (const n of o.notify ?? []) args.push('--notify', n);
  if (o.presence ?? true) args.push('--presence');
  if (process.env.SLIX_PEP_DEBUG) args.push('--debug'); // slixmpp's log goes to stderr, shown in transcript()
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

  const wait = (match: (e: SlixEvent) => boolean, what: string, timeoutMs: number): Promise<SlixEvent> =>
    new Promise((resolvePromise, reject) => {
      const check = () => {
        const hit = events.find((e) => !claimed.has(e) && match(e));
        if (hit) {
          claimed.add(hit);
          done();
          resolvePromise(hit);
        } else if (exited) {
          done();
          reject(new Error(`slixmpp exited without ${what}\n${transcript()}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${what} from slixmpp within ${timeoutMs} ms\n${transcript()}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        wake.delete(check);
      };
      wake.add(check);
      check();
    });

  const waitForEvent = (name: string, timeoutMs = 10_000, where: (e: SlixEvent) => boolean = () => true) => wait((e) => e.event === name && where(e), `a "${name}" event`, timeoutMs);
  const start = await waitForEvent('session_start', 20_000);
  return {
    child,
    events,
    jid: String(start.jid),
    ver: String(start.ver),
    transcript,
    waitForEvent,
    request(cmd, timeoutMs = 10_000) {
      const tag = `p${++tagSeq}`;
      child.stdin!.write(JSON.stringify({ ...cmd, tag }) + '\n');
      return wait((e) => e.tag === tag && ANSWERS.has(e.event), `an answer to ${tag}`, timeoutMs);
    },
    async quit() {
      if (!exited) child.stdin!.write(JSON.stringify({ op: 'quit' }) + '\n');
      const t = setTimeout(() => void terminate(child, 1000), 4000);
      await new Promise<void>((r) => (exited ? r() : child.once('close', () => r())));
      clearTimeout(t);
    },
  };
}
