// Directed presence bookkeeping (RFC 6121 §4.6): which JIDs each resource sent available presence
// to outside its broadcast, so that its unavailable presence (explicit or on disconnect) reaches
// them too (§4.6.3). Kept on the session; bounded per session (oldest forgotten first).
import type { Jid } from '../../jid/index.ts';
import type { LocalSession } from '../../router/session.ts';

const KEY = 'presence:directed';

export const MAX_DIRECTED_PER_SESSION = 1000;

function table(session: LocalSession): Map<string, Jid> {
  let m = session.features.get(KEY) as Map<string, Jid> | undefined;
  if (!m) session.features.set(KEY, (m = new Map()));
  return m;
}

/** Available directed presence sent to `to`. */
export function addDirected(session: LocalSession, to: Jid): void {
  const m = table(session);
  const key = to.toString();
  m.delete(key); // re-insert: most recent last
  m.set(key, to);
  if (m.size > MAX_DIRECTED_PER_SESSION) m.delete(m.keys().next().value as string);
}

/** Unavailable (or an error) sent to or received from `jid`: no longer a directed-presence recipient. */
export function removeDirected(session: LocalSession, jid: Jid): void {
  const m = session.features.get(KEY) as Map<string, Jid> | undefined;
  if (!m) return;
  m.delete(jid.toString());
  // An error from a full JID also ends directed presence sent to its bare JID, and vice versa.
  if (jid.isBare) {
    for (const [k, v] of m) if (v.bare().equals(jid)) m.delete(k);
  } else m.delete(jid.bare().toString());
}

export function directedRecipients(session: LocalSession): Jid[] {
  const m = session.features.get(KEY) as Map<string, Jid> | undefined;
  return m ? [...m.values()] : [];
}

/** Take (and forget) the recipients, when the resource becomes unavailable. */
export function takeDirected(session: LocalSession): Jid[] {
  const out = directedRecipients(session);
  session.features.delete(KEY);
  return out;
}

/** Whether the resource sent available presence to `jid` (its full JID or its bare JID). */
export function hasDirectedTo(session: LocalSession, jid: Jid): boolean {
  const m = session.features.get(KEY) as Map<string, Jid> | undefined;
  return !!m && (m.has(jid.toString()) || m.has(jid.bare().toString()));
}
