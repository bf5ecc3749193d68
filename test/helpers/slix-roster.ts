// slixmpp as a roster/presence peer (slix_roster.py): start it, send it commands, and wait for
// what it reports. Stanzas it received are matched with the same XML patterns as the @xmpp/client
// helpers (xml-pattern.ts); each event is claimed by at most one wait.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'ltx';
import { reapOnExit, terminate } from './reaper.ts';
import { testCert } from './server.ts';
import { python } from './slixmpp.ts';
import { describePattern, toMatcher, type Pattern } from './xml-pattern.ts';

const script = resolve(fileURLToPath(import.meta.url), '../slix_roster.py');

export interface SlixRosterOptions {
  port: number;
  jid: string;
  password: string;
  getRoster?: boolean;
  rosterVer?: string;
  presence?: boolean;
  /** What slixmpp does with subscription requests: approve, deny, or leave them to the test. */
  autoAuthorize?: 'true' | 'false' | 'none';
  autoSubscribe?: boolean;
  timeoutSeconds?: number;
}

export interface SlixEvent {
  event: string;
  [field: string]: unknown;
}

export interface SlixRosterPeer {
  child: ChildProcess;
  events: SlixEvent[];
  command(c: Record<string, unknown>): void;
  /** First unclaimed event of this name satisfying `where`; claims it. */
  waitFor(name: string, where?: (e: SlixEvent) => boolean, timeoutMs?: number): Promise<SlixEvent>;
  /** First unclaimed received stanza (presence, roster push) matching the pattern. */
  expectStanza(event: 'presence' | 'roster_push' | 'iq', pattern: Pattern, timeoutMs?: number): Promise<SlixEvent>;
  /** Fails if a matching stanza arrived unclaimed within waitMs. */
  expectNoStanza(event: 'presence' | 'roster_push' | 'iq', pattern: Pattern, waitMs?: number): Promise<void>;
  transcript(): string;
  quit(): Promise<number | null>;
  kill(): Promise<void>;
}

export function startSlixRoster(o: SlixRosterOptions): SlixRosterPeer {
  const args = [script, '--jid', o.jid, '--password', o.password, '--port', String(o.port), '--ca', testCert, '--auto-authorize', o.autoAuthorize ?? 'none', '--timeout', String(o.timeoutSeconds ?? 30)];
  if (o.getRoster) args.push('--get-roster');
  if (o.rosterVer !== undefined) args.push('--roster-ver', o.rosterVer);
  if (o.presence) args.push('--presence');
  if (o.autoSubscribe) args.push('--auto-subscribe');
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
    for (const w of [...wake]) w();
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.length < 100_000) stderr += d;
  });
  const closed = new Promise<number | null>((r) =>
    child.on('close', (code) => {
      exited = true;
      for (const w of [...wake]) w();
      r(code);
    }),
  );
  const transcript = () => `slixmpp ${o.jid} printed:\n${events.map((e) => `  ${claimed.has(e) ? '(claimed) ' : ''}${JSON.stringify(e)}`).join('\n') || '  (nothing)'}${stderr ? `\nstderr:\n${stderr.slice(-3000)}` : ''}`;

  const waitFor = (name: string, where: (e: SlixEvent) => boolean = () => true, timeoutMs = 8000): Promise<SlixEvent> =>
    new Promise((resolveWait, reject) => {
      const check = () => {
        const hit = events.find((e) => !claimed.has(e) && e.event === name && where(e));
        if (hit) {
          claimed.add(hit);
          done();
          resolveWait(hit);
        } else if (exited) {
          done();
          reject(new Error(`slixmpp exited without a "${name}" event\n${transcript()}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no matching "${name}" event from slixmpp within ${timeoutMs} ms\n${transcript()}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        wake.delete(check);
      };
      wake.add(check);
      check();
    });

  const stanzaMatcher = (pattern: Pattern) => {
    const match = toMatcher(pattern);
    return (e: SlixEvent) => {
      try {
        return match(parse(String(e.xml)));
      } catch {
        return false;
      }
    };
  };

  return {
    child,
    events,
    command(c) {
      child.stdin!.write(`${JSON.stringify(c)}\n`);
    },
    waitFor,
    async expectStanza(event, pattern, timeoutMs = 8000) {
      try {
        return await waitFor(event, stanzaMatcher(pattern), timeoutMs);
      } catch (e) {
        throw new Error(`expected ${event}: ${describePattern(pattern)}\n${(e as Error).message}`);
      }
    },
    async expectNoStanza(event, pattern, waitMs = 1000) {
      await new Promise((r) => setTimeout(r, waitMs));
      const hit = events.find((e) => !claimed.has(e) && e.event === event && stanzaMatcher(pattern)(e));
      if (hit) throw new Error(`slixmpp received a stanza it must not get: ${String(hit.xml)}\n${transcript()}`);
    },
    transcript,
    async quit() {
      if (!exited) child.stdin!.write('{"op": "quit"}\n');
      const timer = setTimeout(() => void terminate(child, 1000), 5000);
      const code = await closed;
      clearTimeout(timer);
      return code;
    },
    async kill() {
      await terminate(child, 2000);
    },
  };
}
