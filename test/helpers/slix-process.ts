// One slix_*.py test peer as a child process, for the slix-*.ts / slixmpp*.ts helpers: spawns it
// with /usr/bin/python3, collects the JSON lines it prints (slix_common.emit) as events, waits for
// events with a timeout that also ends when the script exits, and sends it JSON commands.
//   const p = spawnSlix('slix_mam.py', loginArgs(o, 30), { label: `slix_mam ${o.jid}` });
//   await p.waitForEvent('done');
// startSlixPeer() adds the session_start wait and request() for scripts that take commands.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reapOnExit, terminate } from './reaper.ts';
import { testCert } from './server.ts';

export const python = '/usr/bin/python3';

export interface SlixEvent {
  event: string;
  [field: string]: unknown;
}

export interface SlixProcessOptions {
  /** Names the peer in transcripts and errors, e.g. `slixmpp ann@localhost`. */
  label: string;
  /** Keep stdin open for commands (otherwise it is ignored). */
  stdin?: boolean;
  /** Each wait claims the event it returns, so the next wait for the same name gets a later one. */
  claim?: boolean;
  /** Default timeout of waitForEvent. */
  waitMs?: number;
  env?: NodeJS.ProcessEnv;
}

export interface SlixProcess {
  child: ChildProcess;
  events: SlixEvent[];
  /** Resolves with the exit code once the script has ended. */
  exited: Promise<number | null>;
  stderr(): string;
  /** What it printed (and its stderr's end), for assertion messages. */
  transcript(): string;
  /** The first unclaimed event matching, now; does not claim it. */
  find(match: (e: SlixEvent) => boolean): SlixEvent | undefined;
  /** The first unclaimed event matching, claimed if the process claims; rejects on exit or timeout. */
  waitFor(match: (e: SlixEvent) => boolean, what: string, timeoutMs: number): Promise<SlixEvent>;
  waitForEvent(name: string, timeoutMs?: number, where?: (e: SlixEvent) => boolean): Promise<SlixEvent>;
  /** Writes one line to its stdin. */
  write(line: string): void;
  /** Sends {"op": "quit"} and resolves with the exit code; terminates it after graceMs. */
  quit(graceMs?: number): Promise<number | null>;
  kill(graceMs?: number): Promise<void>;
}

/** The options every slix_*.py script takes (slix_common.arg_parser). */
export function loginArgs(o: { jid: string; password: string; port: number; host?: string; ca?: string }, timeoutSeconds: number): string[] {
  return ['--jid', o.jid, '--password', o.password, '--host', o.host ?? '127.0.0.1', '--port', String(o.port), '--ca', o.ca ?? testCert, '--timeout', String(timeoutSeconds)];
}

export function spawnSlix(script: string, args: string[], o: SlixProcessOptions): SlixProcess {
  const child = spawn(python, [resolve(fileURLToPath(import.meta.url), '..', script), ...args], {
    stdio: [o.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    // No __pycache__ beside the scripts for slix_common.py, which they import.
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', ...o.env },
  });
  reapOnExit(child);
  const events: SlixEvent[] = [];
  const claimed = new Set<SlixEvent>();
  const wake = new Set<() => void>();
  let rest = '';
  let stderr = '';
  let ended = false;
  const take = (line: string) => {
    if (!line.trim()) return;
    try {
      events.push(JSON.parse(line) as SlixEvent);
    } catch {
      events.push({ event: 'unparsed', line }); // e.g. slixmpp 1.8.3's join_muc_wait prints delays
    }
  };
  const notify = () => [...wake].forEach((w) => w());
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    const lines = (rest + d).split('\n');
    rest = lines.pop() ?? '';
    lines.forEach(take);
    notify();
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-200_000)));
  const exited = new Promise<number | null>((r) => child.on('close', (code) => {
    take(rest);
    ended = true;
    notify();
    r(code);
  }));
  const transcript = () => `${o.label} printed:\n${events.map((e) => `  ${claimed.has(e) ? '(claimed) ' : ''}${JSON.stringify(e)}`).join('\n') || '  (nothing)'}${stderr ? `\nstderr:\n${stderr.slice(-4000)}` : ''}`;
  const find = (match: (e: SlixEvent) => boolean) => events.find((e) => !claimed.has(e) && match(e));
  const waitFor = (match: (e: SlixEvent) => boolean, what: string, timeoutMs: number) =>
    new Promise<SlixEvent>((res, rej) => {
      const check = () => {
        const hit = find(match);
        if (hit) {
          if (o.claim) claimed.add(hit);
          stop();
          res(hit);
        } else if (ended) {
          stop();
          rej(new Error(`${o.label} exited (${child.exitCode}) without ${what}\n${transcript()}`));
        }
      };
      const timer = setTimeout(() => {
        stop();
        rej(new Error(`no ${what} from ${o.label} within ${timeoutMs} ms\n${transcript()}`));
      }, timeoutMs);
      const stop = () => {
        clearTimeout(timer);
        wake.delete(check);
      };
      wake.add(check);
      check();
    });
  const write = (line: string) => void child.stdin!.write(`${line}\n`);
  return {
    child,
    events,
    exited,
    stderr: () => stderr,
    transcript,
    find,
    waitFor,
    waitForEvent: (name, timeoutMs = o.waitMs ?? 15_000, where = () => true) => waitFor((e) => e.event === name && where(e), `a "${name}" event`, timeoutMs),
    write,
    async quit(graceMs = 4000) {
      if (!ended) write(JSON.stringify({ op: 'quit' }));
      const timer = setTimeout(() => void terminate(child, 1000), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    kill: async (graceMs = 2000) => void (await terminate(child, graceMs)),
  };
}

/** A peer driven by JSON commands on stdin (slix_common.Peer.read_commands), logged in. */
export interface SlixPeer {
  child: ChildProcess;
  events: SlixEvent[];
  /** The full JID bound, and the whole session_start event. */
  jid: string;
  start: SlixEvent;
  /** Sends a command and resolves with the event that answers it (same tag). */
  request(cmd: Record<string, unknown>, timeoutMs?: number): Promise<SlixEvent>;
  /** First not yet claimed event of that name matching `where` (already printed ones count); claims it. */
  waitForEvent(name: string, timeoutMs?: number, where?: (e: SlixEvent) => boolean): Promise<SlixEvent>;
  transcript(): string;
  quit(): Promise<void>;
}

export interface SlixPeerOptions {
  label: string;
  /** Event names that answer a command; the answer carries the command's tag (<prefix><n>). */
  answers: string[];
  tagPrefix: string;
  startMs: number;
  requestMs: number;
  waitMs: number;
}

/** Starts a commanded peer and waits for its session_start (ending the script if it does not come). */
export async function startSlixPeer(script: string, args: string[], o: SlixPeerOptions): Promise<SlixPeer> {
  const p = spawnSlix(script, args, { label: o.label, stdin: true, claim: true, waitMs: o.waitMs });
  const start = await p.waitForEvent('session_start', o.startMs).catch(async (e) => {
    await p.kill(1000);
    throw e;
  });
  let seq = 0;
  return {
    child: p.child,
    events: p.events,
    jid: String(start.jid),
    start,
    transcript: p.transcript,
    waitForEvent: p.waitForEvent,
    request(cmd, timeoutMs = o.requestMs) {
      const tag = `${o.tagPrefix}${++seq}`;
      p.write(JSON.stringify({ ...cmd, tag }));
      return p.waitFor((e) => e.tag === tag && o.answers.includes(e.event), `an answer to ${JSON.stringify(cmd)} (${tag})`, timeoutMs);
    },
    quit: async () => void (await p.quit()),
  };
}
