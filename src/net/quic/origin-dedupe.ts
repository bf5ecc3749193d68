// The quic-ack crash backstop (specs/quic.md §6, docs/quic.md §5.4): a message whose (sender full
// JID, XEP-0359 origin-id) was routed in the last 5 minutes is dropped as a duplicate. Duplicates
// arise when a quic-ack session could not be resumed (<failed/>: server restarted, session
// expired or replaced) and the client resends its unacknowledged stanzas as new ones.
//
// Scope: origin-ids are *recorded* only from sessions that use quic-ack (session.features has
// 'quic-ack'); *checked* for every client message. So only a full JID that used quic-ack in the
// last 5 minutes can have a message dropped: a resend after <failed/> over QUIC or over TCP,
// whatever the new session negotiates. Plain and XEP-0198 clients are never affected, and the
// memory cost follows quic-ack traffic only. The set lives in this process: it covers a lost or
// expired session, not a server restart.
import client from 'prom-client';
import type { HookBus } from '../../hooks/bus.ts';
import type { HookEvents } from '../../hooks/events.ts';
import type { Logger } from '../../observability/log.ts';
import { QUIC_ACK_FEATURE } from './nonzas.ts';

export const NS_SID = 'urn:xmpp:sid:0';
export const DEDUPE_WINDOW_MS = 5 * 60_000;
/** At most this many (JID, origin-id) pairs are kept; past it the oldest go first (counted). */
export const DEDUPE_MAX_ENTRIES = 100_000;

/** A time-windowed, size-capped set of (full JID, origin-id). Pure apart from the clock. */
export class OriginIdWindow {
  // Insertion order is time order, so expiry and eviction both take from the front.
  private seen = new Map<string, number>();
  evicted = 0;

  constructor(
    readonly windowMs = DEDUPE_WINDOW_MS,
    readonly maxEntries = DEDUPE_MAX_ENTRIES,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    this.prune();
    return this.seen.size;
  }

  has(fullJid: string, originId: string): boolean {
    this.prune();
    return this.seen.has(key(fullJid, originId));
  }

  record(fullJid: string, originId: string): void {
    this.prune();
    const k = key(fullJid, originId);
    if (this.seen.has(k)) return;
    if (this.seen.size >= this.maxEntries) {
      // Under this much load the window is shorter than 5 min; the metric says how often.
      this.seen.delete(this.seen.keys().next().value!);
      this.evicted++;
    }
    this.seen.set(k, this.now());
  }

  private prune(): void {
    const cutoff = this.now() - this.windowMs;
    for (const [k, t] of this.seen) {
      if (t > cutoff) break;
      this.seen.delete(k);
    }
  }
}

const key = (fullJid: string, originId: string) => `${fullJid}\u0000${originId}`;

export interface OriginDedupeDeps {
  hooks: HookBus<HookEvents>;
  registry: client.Registry;
  log: Logger;
}

/** Hooks the backstop into 'client/stanza' ahead of every module (archive, carbons, blocking). */
export function startOriginDedupe(deps: OriginDedupeDeps, window = new OriginIdWindow()): () => void {
  const registers = [deps.registry];
  const drops = new client.Counter({ name: 'parley_quic_duplicate_drops_total', help: 'Client messages dropped because their (full JID, origin-id) was routed in the last 5 minutes (quic-ack backstop)', registers });
  new client.Gauge({ name: 'parley_quic_origin_ids', help: 'Entries in the quic-ack duplicate backstop (full JID, origin-id)', registers, collect() { this.set(window.size); } });
  const evictions = new client.Counter({ name: 'parley_quic_origin_id_evictions_total', help: 'Backstop entries dropped before their 5 minutes because the set was full', registers });
  let evictedSeen = 0;
  return deps.hooks.on('client/stanza', ({ stanza, session }) => {
    if (stanza.name !== 'message') return;
    const originId = stanza.getChild('origin-id', NS_SID)?.attrs.id;
    if (!originId) return;
    const from = session.jid.toString();
    if (window.has(from, originId)) {
      drops.inc();
      deps.log.info({ jid: from, origin_id: originId }, 'duplicate message dropped (origin-id routed in the last 5 min)');
      return true; // consumed: not routed, archived or copied again; still counted as handled
    }
    if (!session.features.has(QUIC_ACK_FEATURE)) return;
    window.record(from, originId);
    if (window.evicted !== evictedSeen) {
      evictions.inc(window.evicted - evictedSeen);
      evictedSeen = window.evicted;
    }
  }, 1000);
}
