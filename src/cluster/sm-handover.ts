// XEP-0198 §5 resumption on another node (docs/clustering.md): the node a client reconnects to
// asks the nodes that hold sessions of the account (the registry's records) to hand the session
// over, request/response on the bus. The owner checks the account, ends its hibernating session
// without rerouting its queue, and answers with the counters and unacknowledged stanzas. A node
// that is dead or silent for CLAIM_TIMEOUT_MS counts as "no such session" (<failed/>).
import { randomBytes } from 'node:crypto';
import { tryParseJid } from '../jid/index.ts';
import type { SmHandoverService, SmHandoverState, SmSessionsService } from '../core/services.ts';
import type { Logger } from '../observability/log.ts';
import type { Router } from '../router/router.ts';
import { parseElement } from '../xml/parse-element.ts';
import type { Bus } from './bus.ts';
import type { RemoteDirectory } from './directory.ts';
import type { BusMessage } from './records.ts';

export const CLAIM_TIMEOUT_MS = 3000;

type Claim = Extract<BusMessage, { k: 'sm-claim' }>;
type Answer = Extract<BusMessage, { k: 'sm-handover' }>;

interface Pending {
  waiting: number;
  resolve(state: SmHandoverState | null): void;
  timer: NodeJS.Timeout;
}

export class SmHandover implements SmHandoverService {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly d: {
    self: string;
    bus: Bus;
    directory: RemoteDirectory;
    router: Router;
    log: Logger;
    /** The sm module's side, looked up at use time. */
    sessions: () => SmSessionsService | undefined;
  }) {}

  claim(previd: string, bare: string): Promise<SmHandoverState | null> {
    const b = tryParseJid(bare);
    if (!b) return Promise.resolve(null);
    // Only nodes with a session of this account can hold it (the owner checks previd and account).
    const nodes = [...new Set(this.d.directory.resources(b).map((s) => (s as { node?: string }).node).filter((n): n is string => typeof n === 'string' && n !== this.d.self))];
    if (nodes.length === 0) return Promise.resolve(null);
    const id = randomBytes(9).toString('base64url');
    return new Promise((resolve) => {
      const done = (state: SmHandoverState | null) => {
        const p = this.pending.get(id);
        if (!p) return;
        clearTimeout(p.timer);
        this.pending.delete(id);
        resolve(state);
      };
      const timer = setTimeout(() => done(null), CLAIM_TIMEOUT_MS);
      this.pending.set(id, { waiting: nodes.length, resolve: done, timer });
      for (const node of nodes) {
        const msg: Claim = { k: 'sm-claim', id, from: this.d.self, previd, bare };
        // Nobody listening on that channel: that node cannot answer.
        this.d.bus.send(node, msg).then((got) => got === 0 && this.answered({ k: 'sm-handover', id, state: null }), () => this.answered({ k: 'sm-handover', id, state: null }));
      }
    });
  }

  /** Another node asks for one of this node's sessions. */
  onClaim(m: Claim): void {
    let state: SmHandoverState | null = null;
    try {
      state = this.d.sessions()?.handOver(m.previd, m.bare) ?? null;
    } catch (err) {
      this.d.log.error({ err }, 'cluster: sm handover failed');
    }
    if (state) this.d.log.info({ jid: state.jid, to: m.from, unacked: state.unacked.length }, 'cluster: hibernating session handed over');
    const answer: Answer = { k: 'sm-handover', id: m.id, state };
    void this.d.bus.send(m.from, answer).then((got) => {
      // The claimer is gone: its stanzas must not be lost with it.
      if (got === 0 && state) this.orphaned(state);
    }, () => state && this.orphaned(state));
  }

  /** An answer to one of this node's claims. */
  answered(m: Answer): void {
    const p = this.pending.get(m.id);
    if (!p) {
      // Came after the claim timed out: the client was told <failed/>, the session is gone from
      // its node; route its stanzas as for a session that ended (another resource or offline storage).
      if (m.state) this.orphaned(m.state);
      return;
    }
    if (m.state) return p.resolve(m.state);
    if (--p.waiting <= 0) p.resolve(null);
  }

  private orphaned(state: SmHandoverState): void {
    this.d.log.warn({ jid: state.jid, unacked: state.unacked.length }, 'cluster: handed-over session found no taker; routing its stanzas again');
    for (const { xml } of state.unacked) {
      try {
        const el = parseElement(xml);
        if (el && el.name === 'message' && el.attrs.type !== 'error' && el.attrs.type !== 'groupchat') void this.d.router.route(el);
      } catch {
        /* unparseable: skipped */
      }
    }
  }

  stop(): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.resolve(null);
    }
    this.pending.clear();
  }
}
