// Runs slix_mam.py (slixmpp as an XEP-0313 client) and follows the JSON lines it prints.
import { loginArgs, spawnSlix, type SlixEvent } from './slix-process.ts';

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
  const args = [...loginArgs(o, o.timeoutSeconds ?? 30), '--wait-messages', String(o.waitMessages)];
  if (o.withJid) args.push('--with-jid', o.withJid);
  const p = spawnSlix('slix_mam.py', args, { label: `slix_mam ${o.jid}`, waitMs: 20_000 });
  return {
    events: p.events,
    exited: p.exited,
    transcript: p.transcript,
    waitForEvent: (name, timeoutMs) => p.waitForEvent(name, timeoutMs),
    kill: () => p.kill(),
  };
}
