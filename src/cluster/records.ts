// What the cluster knows about a session bound on some node: enough for other nodes to route to
// it (RFC 6121 §8.5 priorities), broadcast presence and carbons, and to clean up after its node dies.
import type { LocalSession } from '../router/session.ts';
import type { SmHandoverState } from '../core/services.ts';
import type { WireElement } from './wire.ts';

export interface SessionRecord {
  /** Its last available presence (serialized), or null while unavailable. */
  presence: string | null;
  priority: number;
  /** RFC 6121 §2.1.6 interested resource (gets roster pushes). */
  interested: boolean;
  connected: boolean;
  /** Per-session flags that are on (value true in session.features), e.g. 'carbons' (XEP-0280). */
  flags: string[];
  /** JIDs it sent available directed presence to (RFC 6121 §4.6), MUC occupant JIDs among them. */
  directed: string[];
}

/** Bus messages to one node. */
export type BusMessage =
  /** Hand this stanza to the local session `to` (it was routed on the sending node). */
  | { k: 'deliver'; to: string; x: WireElement }
  /** Close the local session `to` (resource conflict, account deleted...). */
  | { k: 'close'; to: string; condition?: string; text?: string }
  /** Route this stanza here (a room this node owns); hops bound forwarding loops. */
  | { k: 'route'; x: WireElement; hops: number }
  /** XEP-0198: hand the hibernating session `previd` of `bare` over to node `from` (answered by sm-handover). */
  | { k: 'sm-claim'; id: string; from: string; previd: string; bare: string }
  /** The answer to sm-claim `id`: the session's state, or null. */
  | { k: 'sm-handover'; id: string; state: SmHandoverState | null };

/** Broadcast to every node. */
export type ClusterEvent =
  | { k: 'session'; node: string; jid: string; rec: SessionRecord | null }
  | { k: 'node-down'; node: string }
  | { k: 'room'; room: string; node: string; takeover: boolean };

export function snapshot(s: LocalSession, directed: Iterable<string>): SessionRecord {
  const flags: string[] = [];
  for (const [k, v] of s.features) if (v === true) flags.push(k);
  return { presence: s.presence ? s.presence.toString() : null, priority: s.priority, interested: s.interested, connected: s.connected, flags, directed: [...directed] };
}

export function sameRecord(a: SessionRecord | undefined, b: SessionRecord): boolean {
  return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}
