// Drives slix_muc.py: slixmpp's own XEP-0045 plugin as a second MUC client implementation.
// Commands go to its stdin as JSON lines; request() sends one and resolves with its answer
// ({event: 'result', ...} or {event: 'error', condition}).
//   const bob = await startSlixMuc({ port, jid: 'bob@localhost', password });
//   const joined = await bob.request({ op: 'join', room, nick: 'Bob', maxstanzas: 2 });
import { loginArgs, startSlixPeer, type SlixPeer } from './slix-process.ts';

export type SlixMuc = SlixPeer;

export function startSlixMuc(o: { port: number; jid: string; password: string; timeoutSeconds?: number }): Promise<SlixMuc> {
  return startSlixPeer('slix_muc.py', loginArgs(o, o.timeoutSeconds ?? 60), {
    label: `slixmpp MUC peer ${o.jid}`,
    answers: ['result', 'error', 'bad_command'],
    tagPrefix: 'm',
    startMs: 15_000,
    requestMs: 15_000,
    waitMs: 10_000,
  });
}
