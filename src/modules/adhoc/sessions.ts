// XEP-0050 §3.3 command sessions: one per execution, bound to the requester's full JID, ended on
// completion, cancellation or inactivity. Ended ids are remembered (bounded) so a late request
// gets session-expired rather than bad-sessionid.
import { randomBytes } from 'node:crypto';
import type { AdhocResult } from '../../core/services.ts';

export interface CommandSession {
  id: string;
  node: string;
  /** Full JID of the requester: sessions are "valid only between one requester/responder pair". */
  requester: string;
  state: Record<string, unknown>;
  /** Responses sent so far; the last is the stage on screen, earlier ones serve 'prev'. */
  responses: AdhocResult[];
  expires: number;
}

export class CommandSessions {
  private live = new Map<string, CommandSession>();
  private ended = new Set<string>();

  constructor(private readonly ttlMs: number, private readonly maxPerRequester: number, private readonly maxEnded = 1000, private readonly now: () => number = Date.now) {}

  /** Null when the requester already has too many open sessions. */
  open(node: string, requester: string): CommandSession | null {
    this.sweep();
    let count = 0;
    for (const s of this.live.values()) if (s.requester === requester) count++;
    if (count >= this.maxPerRequester) return null;
    const s: CommandSession = { id: `${node.split('#').pop()}:${randomBytes(9).toString('base64url')}`, node, requester, state: {}, responses: [], expires: this.now() + this.ttlMs };
    this.live.set(s.id, s);
    return s;
  }

  /** The live session, 'expired' if it existed and ended, or null if never known. */
  get(id: string): CommandSession | 'expired' | null {
    this.sweep();
    const s = this.live.get(id);
    if (s) {
      s.expires = this.now() + this.ttlMs;
      return s;
    }
    return this.ended.has(id) ? 'expired' : null;
  }

  end(id: string): void {
    if (!this.live.delete(id)) return;
    this.ended.add(id);
    if (this.ended.size > this.maxEnded) this.ended.delete(this.ended.values().next().value as string);
  }

  get size(): number {
    return this.live.size;
  }

  sweep(): void {
    const t = this.now();
    for (const s of [...this.live.values()]) if (s.expires <= t) this.end(s.id);
  }
}
