// slixmpp with XEP-0198 as a test peer (slix_sm_client.py), driven by commands: cut the
// connection, reconnect from another address, send, read its counters. Events come back as
// JSON lines, as with slixmpp.ts.
import { loginArgs, spawnSlix, type SlixEvent } from './slix-process.ts';

export interface SlixSm {
  events: SlixEvent[];
  command(line: string): void;
  /** The first event of this name matching where; rejects on exit or timeout. */
  waitForEvent(name: string, timeoutMs?: number, where?: (e: SlixEvent) => boolean): Promise<SlixEvent>;
  transcript(): string;
  kill(): Promise<void>;
}

export function runSlixSm(o: { port: number; jid: string; password: string; timeoutSeconds?: number }): SlixSm {
  const p = spawnSlix('slix_sm_client.py', loginArgs(o, o.timeoutSeconds ?? 60), { label: `slixmpp (XEP-0198) ${o.jid}`, stdin: true, waitMs: 15_000 });
  return {
    events: p.events,
    transcript: p.transcript,
    command: p.write,
    waitForEvent: p.waitForEvent,
    kill: () => p.kill(),
  };
}
