// Sessions that can be resumed, by SM-ID (XEP-0198 §5), and a short memory of ended ones so a
// late <resume/> can be told the last 'h' (§5: "the server MAY also include a 'h' attribute").
import { randomBytes } from 'node:crypto';
import type { ManagedSession } from './managed-session.ts';

/** §5: the SM-ID "MUST NOT be reused"; 144 random bits also make it unguessable. */
export function newSmId(): string {
  return randomBytes(18).toString('base64url');
}

interface Ended {
  bare: string;
  h: number;
  until: number;
}

export class ResumableSessions {
  private live = new Map<string, ManagedSession>();
  private ended = new Map<string, Ended>();

  constructor(private readonly memoryMs: number, private readonly maxRemembered = 10_000) {}

  add(ms: ManagedSession): void {
    if (ms.id) this.live.set(ms.id, ms);
  }

  get(id: string): ManagedSession | undefined {
    return this.live.get(id);
  }

  /** The session ended: forget it, but remember its last inbound count for a while. */
  remove(ms: ManagedSession): void {
    if (!ms.id || this.live.get(ms.id) !== ms) return;
    this.live.delete(ms.id);
    this.ended.set(ms.id, { bare: ms.session.jid.bare().toString(), h: ms.queue.inbound, until: Date.now() + this.memoryMs });
    // Oldest first (Map insertion order): bounded memory whatever the churn.
    for (const [k, v] of this.ended) {
      if (this.ended.size <= this.maxRemembered && v.until > Date.now()) break;
      this.ended.delete(k);
    }
  }

  /** The final 'h' of an ended session of this account, if still remembered. */
  endedH(id: string, bare: string): number | undefined {
    const e = this.ended.get(id);
    return e && e.bare === bare && e.until > Date.now() ? e.h : undefined;
  }

  all(): ManagedSession[] {
    return [...this.live.values()];
  }
}
