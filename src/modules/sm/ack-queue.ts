// XEP-0198 §4 counters and the queue of unacknowledged outbound stanzas, as pure logic.
// Counters are xs:unsignedInt and wrap from 2^32-1 to 0 (§4), so every comparison is mod 2^32.
import type { Element } from '../../xml/element.ts';

export const SEQ_MOD = 2 ** 32;

/** a + n mod 2^32 (0 <= a < 2^32). */
export function seqAdd(a: number, n = 1): number {
  return (a + n) % SEQ_MOD;
}

/** a - b mod 2^32: how far counter a is ahead of counter b. */
export function seqDiff(a: number, b: number): number {
  return (((a - b) % SEQ_MOD) + SEQ_MOD) % SEQ_MOD;
}

/** The value of an 'h' attribute (xs:unsignedInt), or null when it is not one. */
export function parseH(value: string | undefined): number | null {
  if (value === undefined || !/^\d{1,10}$/.test(value)) return null;
  const n = Number(value);
  return n < SEQ_MOD ? n : null;
}

export interface Unacked {
  stanza: Element;
  /** When it was handed to the session (ms since epoch): the XEP-0203 stamp if it is delivered elsewhere later. */
  at: number;
}

export type AckOutcome = { ok: true; acked: number } | { ok: false; h: number; sent: number };

export class AckQueue {
  /** Stanzas received from the peer and handled: the 'h' we report (§4). */
  inbound: number;
  /** Stanzas sent to the peer since enabling. */
  sent: number;
  /** The last 'h' the peer reported. */
  acked: number;
  /** unacked[i] carries sequence number acked + i + 1; so sent = acked + unacked.length (mod 2^32). */
  readonly unacked: Unacked[] = [];

  /** Start values other than zero only serve tests of the wrap-around. */
  constructor(start: { inbound?: number; sent?: number } = {}) {
    this.inbound = start.inbound ?? 0;
    this.sent = start.sent ?? 0;
    this.acked = this.sent;
  }

  /** One more stanza handled from the peer. */
  countInbound(): void {
    this.inbound = seqAdd(this.inbound);
  }

  /** One more stanza sent to the peer; returns the queue length. */
  push(stanza: Element, at = Date.now()): number {
    this.unacked.push({ stanza, at });
    this.sent = seqAdd(this.sent);
    return this.unacked.length;
  }

  /**
   * Apply an <a h/> (or the h of <resume/>/<resumed/>, §5): drop the stanzas it covers. An h
   * that covers more stanzas than are waiting acknowledges more than was sent (§5
   * handled-count-too-high); the queue is then left as it was.
   */
  ack(h: number): AckOutcome {
    const n = seqDiff(h, this.acked);
    if (n > this.unacked.length) return { ok: false, h, sent: this.sent };
    this.unacked.splice(0, n);
    this.acked = h;
    return { ok: true, acked: n };
  }

  /** Everything still unacknowledged, leaving the queue empty (the session ends). */
  drain(): Unacked[] {
    const all = this.unacked.splice(0);
    this.acked = this.sent;
    return all;
  }
}
