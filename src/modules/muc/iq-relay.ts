// IQs to an occupant JID (XEP-0045 §17.4 rule 3): relayed to the addressee's real JID under a
// fresh id, so neither side learns the other's JID, and the answer is mapped back. XEP-0410: a
// ping from a joined session to its own occupant JID is answered by the room itself; from anyone
// who is not an occupant, IQs to occupant JIDs get not-acceptable.
import { randomBytes } from 'node:crypto';
import type { Routed } from '../../hooks/events.ts';
import type { Jid } from '../../jid/index.ts';
import { StanzaError } from '../../stanza/errors.ts';
import { NS } from '../../xml/namespaces.ts';
import { xml } from '../../xml/element.ts';
import type { MucCtx } from './context.ts';
import type { Room } from './room.ts';

interface Pending {
  /** Who asked, and their id. */
  requester: Jid;
  id: string;
  /** The occupant JID the request went to (answers come back from it). */
  addressed: string;
  /** Who we forwarded to: only it may answer. */
  target: string;
  timer: NodeJS.Timeout;
}

/** Most relayed IQs awaiting an answer; past it the oldest are forgotten. */
const MAX_PENDING = 10_000;

export class IqRelay {
  private readonly pending = new Map<string, Pending>();
  private readonly prefix = randomBytes(4).toString('hex');
  private seq = 0;

  constructor(private readonly timeoutMs: number) {}

  /** An IQ get/set to room/nick from `r.from`. */
  async request(ctx: MucCtx, room: Room, r: Routed): Promise<void> {
    const sender = room.bySessionJid(r.from) ?? room.bySessionJid(r.from.bare());
    if (!sender?.occupant) throw new StanzaError('not-acceptable', 'You are not in this room');
    const target = room.byNickname(r.to.resource);
    const payload = r.stanza.getChildElements().find((c) => c.localName !== 'error');
    // XEP-0410 §3.2: a self-ping is answered by the room; the client is evidently still joined.
    if (target === sender && r.stanza.attrs.type === 'get' && payload?.is('ping', NS.ping)) {
      await ctx.route(xml('iq', { xmlns: NS.client, type: 'result', id: r.stanza.attrs.id, from: r.to.toString(), to: r.from.toString() }));
      return;
    }
    if (!target?.occupant) throw new StanzaError('item-not-found', 'No occupant with that nickname');
    // vCards belong to the account: ask its server (the bare JID), as clients do for avatars.
    const dominant = room.dominant(target.occupant).jid;
    const vcard = payload?.is('vCard', NS.vcard) && r.stanza.attrs.type === 'get';
    // new-muc.md §3: a bare-JID-only occupant has no client to answer.
    if (!vcard && !dominant.resource) throw new StanzaError('service-unavailable', 'The occupant has no client online');
    const to = vcard ? target.jid : dominant.toString();
    const id = `muc-${this.prefix}-${(++this.seq).toString(36)}`;
    const forwarded = r.stanza.clone();
    forwarded.attrs.id = id;
    forwarded.attrs.from = `${room.jid.toString()}/${sender.occupant.nick}`;
    forwarded.attrs.to = to;
    if (this.pending.size >= MAX_PENDING) this.forget(this.pending.keys().next().value as string);
    const timer = setTimeout(() => this.pending.delete(id), this.timeoutMs);
    timer.unref();
    this.pending.set(id, { requester: r.from, id: r.stanza.attrs.id ?? '', addressed: r.to.toString(), target: to, timer });
    await ctx.route(forwarded);
  }

  /** An IQ result or error to room/nick: the answer to a relayed request, or nothing of ours (dropped). */
  async response(ctx: MucCtx, r: Routed): Promise<void> {
    const id = r.stanza.attrs.id;
    const p = id !== undefined ? this.pending.get(id) : undefined;
    if (!p || (p.target !== r.from.toString() && p.target !== r.from.bare().toString())) return;
    this.forget(id!);
    const answer = r.stanza.clone();
    answer.attrs.id = p.id;
    answer.attrs.from = p.addressed;
    answer.attrs.to = p.requester.toString();
    await ctx.route(answer);
  }

  private forget(id: string): void {
    const p = this.pending.get(id);
    if (p) clearTimeout(p.timer);
    this.pending.delete(id);
  }

  stop(): void {
    for (const id of [...this.pending.keys()]) this.forget(id);
  }
}
