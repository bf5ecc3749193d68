// Drives slix_ops.py: slixmpp as a scripted peer for IM features. Commands go to its stdin as JSON
// lines, events come back the same way; request() sends one command and waits for its answer.
//   const bob = await startSlixOps({ port, jid: 'bob@localhost', password });
//   await bob.request({ op: 'block', jids: ['alice@localhost'] });
//   const m = await bob.waitForEvent('message', 5000, (e) => e.body === 'hi');
import { loginArgs, startSlixPeer, type SlixPeer } from './slix-process.ts';

export interface SlixOpsOptions {
  port: number;
  jid: string;
  password: string;
  host?: string;
  timeoutSeconds?: number;
}

export type SlixOps = SlixPeer;

export function startSlixOps(o: SlixOpsOptions): Promise<SlixOps> {
  return startSlixPeer('slix_ops.py', loginArgs(o, o.timeoutSeconds ?? 60), {
    label: `slixmpp ${o.jid}`,
    answers: ['sent', 'result', 'blocklist', 'vcard', 'iq_error', 'iq_timeout', 'exception', 'bad_command'],
    tagPrefix: 'c',
    startMs: 15_000,
    requestMs: 10_000,
    waitMs: 10_000,
  });
}
