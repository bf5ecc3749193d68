// Delivering stored messages (XEP-0160 §2): when a resource becomes available with a non-negative
// priority it gets the account's offline messages, oldest first; each is deleted once written to
// the session (with XEP-0198 on, the session's queue takes over from there). Deliveries for one
// account run one at a time, so two resources coming online together never both get a message.
import type { LocalSession } from '../../router/session.ts';
import { tryParseJid } from '../../jid/index.ts';
import { parseElement } from '../../xml/parse-element.ts';
import type { ModuleContext } from '../types.ts';

/** Messages written per turn of the event loop, so the connection can drain between batches. */
const BATCH = 50;

export class OfflineDelivery {
  private readonly running = new Map<string, Promise<void>>();
  constructor(private readonly ctx: ModuleContext) {}

  /** Queue a delivery to this session; resolves when it is done (never rejects). */
  deliverTo(session: LocalSession): Promise<void> {
    const key = session.jid.bare().toString();
    const prev = this.running.get(key) ?? Promise.resolve();
    const next = prev.then(() => this.flush(session)).catch((err) => this.ctx.log.error({ err, jid: key }, 'offline delivery failed'));
    this.running.set(key, next);
    void next.finally(() => {
      if (this.running.get(key) === next) this.running.delete(key);
    });
    return next;
  }

  private eligible(session: LocalSession): boolean {
    return session.presence !== null && session.priority >= 0 && this.ctx.router.sessions.get(session.jid) === session;
  }

  private async flush(session: LocalSession): Promise<void> {
    const { local: u, domain: d } = session.jid;
    const store = this.ctx.storage.offline;
    const blocking = this.ctx.services.get('blocking');
    for (;;) {
      if (!this.eligible(session)) return;
      const batch = await store.list(u, d, BATCH);
      if (batch.length === 0) return;
      const done: number[] = [];
      for (const m of batch) {
        if (!this.eligible(session)) break;
        const el = parseElement(m.stanza);
        if (!el) {
          this.ctx.log.error({ id: m.id, user: `${u}@${d}` }, 'unreadable offline message dropped');
        } else {
          // XEP-0191 §3.3: nothing from a JID the user has blocked since, not even what was stored before.
          const from = tryParseJid(el.attrs.from ?? '');
          if (!(from && blocking && (await blocking.isBlocked(u, d, from)))) session.send(el);
        }
        done.push(m.id);
      }
      await store.delete(u, d, done);
      if (batch.length < BATCH) return;
      await new Promise((r) => setImmediate(r));
    }
  }
}
