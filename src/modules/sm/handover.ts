// XEP-0198 §5 resumption on another cluster node (docs/clustering.md): the state of a hibernating
// session as it leaves this node (handOverState), and as it arrives on the node the client
// reconnected to (restoreQueue). The cluster module carries it (smHandover service).
import type { SmHandoverState } from '../../core/services.ts';
import { parseElement } from '../../xml/parse-element.ts';
import type { Element } from '../../xml/element.ts';
import type { AckQueue, Unacked } from './ack-queue.ts';
import type { ManagedSession } from './managed-session.ts';

export function handOverState(ms: ManagedSession): SmHandoverState {
  const s = ms.session;
  const flags: string[] = [];
  for (const [k, v] of s.features) if (v === true) flags.push(k);
  return {
    jid: s.jid.toString(),
    resumeTimeoutMs: ms.resumeTimeoutMs,
    inbound: ms.queue.inbound,
    sent: ms.queue.sent,
    acked: ms.queue.acked,
    unacked: ms.queue.unacked.map(({ stanza, at }) => ({ xml: stanza.toString(), at })),
    presence: s.presence ? s.presence.toString() : null,
    priority: s.priority,
    interested: s.interested,
    flags,
  };
}

/** The unacknowledged stanzas of a handed-over session (those that do not parse are left out). */
export function unackedOf(st: SmHandoverState): Unacked[] {
  const out: Unacked[] = [];
  for (const { xml, at } of st.unacked) {
    let stanza: Element | null = null;
    try {
      stanza = parseElement(xml);
    } catch {
      /* cannot happen for what the other node serialized; skipped rather than failing the resume */
    }
    if (stanza) out.push({ stanza, at });
  }
  return out;
}

/** Put the counters and queue of a handed-over session into a fresh queue. */
export function restoreQueue(queue: AckQueue, st: SmHandoverState, items: Unacked[]): void {
  queue.inbound = st.inbound;
  queue.acked = st.acked;
  queue.unacked.splice(0, queue.unacked.length, ...items);
  // sent = acked + queued (mod 2^32), the invariant AckQueue keeps.
  queue.sent = (st.acked + items.length) % 2 ** 32;
}
