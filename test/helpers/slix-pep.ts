// Drives slix_pep.py: slixmpp as a PEP peer whose caps (+notify interests) come from slixmpp's own
// XEP-0115/XEP-0163 plugins. Commands go to its stdin as JSON lines, events come back the same way.
//   const ben = await startSlixPep({ port, jid: 'ben@localhost', password, notify: [TUNE] });
//   const ev = await ben.waitForEvent('pubsub_publish', 5000, (e) => e.node === TUNE);
import { loginArgs, startSlixPeer, type SlixPeer } from './slix-process.ts';

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

/** ver: the caps ver slixmpp computed, from session_start. */
export type SlixPep = SlixPeer & { ver: string };

export async function startSlixPep(o: SlixPepOptions): Promise<SlixPep> {
  const args = loginArgs(o, o.timeoutSeconds ?? 60);
  for (const n of o.notify ?? []) args.push('--notify', n);
  if (o.presence ?? true) args.push('--presence');
  if (process.env.SLIX_PEP_DEBUG) args.push('--debug'); // slixmpp's log goes to stderr, shown in transcript()
  const peer = await startSlixPeer('slix_pep.py', args, {
    label: `slixmpp ${o.jid}`,
    answers: ['result', 'avatar', 'items', 'iq_error', 'iq_timeout', 'exception', 'bad_command'],
    tagPrefix: 'p',
    startMs: 20_000,
    requestMs: 10_000,
    waitMs: 10_000,
  });
  return { ...peer, ver: String(peer.start.ver) };
}
