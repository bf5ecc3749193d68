// slixmpp as a roster/presence peer (slix_roster.py): start it, send it commands, and wait for
// what it reports. Stanzas it received are matched with the same XML patterns as the @xmpp/client
// helpers (xml-pattern.ts); each event is claimed by at most one wait.
import type { ChildProcess } from 'node:child_process';
import { parse } from 'ltx';
import { loginArgs, spawnSlix, type SlixEvent } from './slix-process.ts';
import { describePattern, toMatcher, type Pattern } from './xml-pattern.ts';

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

export function startSlixRoster(o: SlixRosterOptions): SlixRosterPeer {
  const args = [...loginArgs(o, o.timeoutSeconds ?? 30), '--auto-authorize', o.autoAuthorize ?? 'none'];
  if (o.getRoster) args.push('--get-roster');
  if (o.rosterVer !== undefined) args.push('--roster-ver', o.rosterVer);
  if (o.presence) args.push('--presence');
  if (o.autoSubscribe) args.push('--auto-subscribe');
  const p = spawnSlix('slix_roster.py', args, { label: `slixmpp ${o.jid}`, stdin: true, claim: true });
  const waitFor = (name: string, where: (e: SlixEvent) => boolean = () => true, timeoutMs = 8000) => p.waitForEvent(name, timeoutMs, where);
  return {
    child: p.child,
    events: p.events,
    command: (c) => p.write(JSON.stringify(c)),
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
      const hit = p.find((e) => e.event === event && stanzaMatcher(pattern)(e));
      if (hit) throw new Error(`slixmpp received a stanza it must not get: ${String(hit.xml)}\n${p.transcript()}`);
    },
    transcript: p.transcript,
    quit: () => p.quit(5000),
    kill: () => p.kill(),
  };
}
