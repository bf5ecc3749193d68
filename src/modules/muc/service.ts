// One MUC service (a component domain, e.g. conference.example.org): the dispatch of every stanza
// addressed to the domain, a room or an occupant JID. Rooms live in the RoomDirectory; stanzas for
// a room go through its mailbox (mailbox.ts), so each room handles them one at a time, in order.
import type { Routed } from '../../hooks/events.ts';
import type { Jid } from '../../jid/index.ts';
import { errorReply, StanzaError } from '../../stanza/errors.ts';
import { xml, type Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';
import { presenceToSessions } from './broadcast.ts';
import type { MucCtx } from './context.ts';
import { RoomDirectory } from './directory.ts';
import { serviceInfo, serviceItems } from './disco.ts';
import { IqRelay } from './iq-relay.ts';
import { NewMuc } from './newmuc/index.ts';
import { isInviteOrDecline, handleInvites } from './invites.ts';
import { prepareGroupchat, privateMessage } from './messages.ts';
import { isDeliveryFailure, onAvailable, onUnavailable } from './presence.ts';
import type { Room } from './room.ts';
import { roomIq } from './room-iq.ts';
import { NS_PARTICIPANTS } from './participants.ts';
import { handleVoiceForm, voiceRequestForm } from './voice.ts';
import { NS_MUC, STATUS } from './xep0045.ts';

export class MucService {
  private readonly relay: IqRelay;
  readonly rooms: RoomDirectory;
  readonly ctx: MucCtx;
  /** New MUC beside XEP-0045 (newmuc/): shapes what the rooms send, maps what New MUC clients send. */
  private readonly newMuc = new NewMuc();

  constructor(ctx: Omit<MucCtx, 'rooms'>) {
    this.rooms = new RoomDirectory(ctx);
    this.ctx = { ...ctx, rooms: this.rooms, route: this.newMuc.route(ctx.route) };
    this.newMuc.bind(this.ctx);
    this.relay = new IqRelay(ctx.options.iq_timeout * 1000);
  }

  load(): Promise<number> {
    return this.rooms.load();
  }

  get(jid: Jid): Room | undefined {
    return this.rooms.get(jid);
  }

  all(): Room[] {
    return this.rooms.all();
  }

  /** Send an error in answer to `stanza`, from the address it was sent to (by = the room, XEP-0045 examples). */
  private async reject(stanza: Element, err: unknown, room?: Room): Promise<void> {
    const e = err instanceof StanzaError ? err : new StanzaError('internal-server-error');
    if (!(err instanceof StanzaError)) this.ctx.log.error({ err }, 'MUC handler failed');
    const reply = errorReply(stanza, e, room?.jid.toString());
    if (!reply) return;
    // §7.2.6-§7.2.9 examples: a refused join echoes an empty muc <x/> (never the password), which clients match on.
    if (stanza.name === 'presence' && stanza.getChild('x', NS_MUC)) reply.children.unshift(xml('x', { xmlns: NS_MUC }));
    await this.ctx.route(reply);
  }

  /** After every room task: a temporary room with nobody left is gone (§10.1.1, muc.md §1). */
  private async reap(room: Room): Promise<void> {
    if (!room.destroyed && room.isEmpty() && !room.config.persistent) await this.rooms.remove(room);
  }

  private enqueue(room: Room, r: Routed, fn: () => Promise<void>): void {
    const h = this.rooms.hostedRoom(room);
    if (!h) return void this.reject(r.stanza, new StanzaError('item-not-found', 'No such room'));
    h.mailbox.push({
      run: async () => {
        if (room.destroyed) return this.reject(r.stanza, new StanzaError('item-not-found', 'No such room'));
        try {
          await fn();
        } catch (err) {
          await this.reject(r.stanza, err, room);
        }
        await this.reap(room);
      },
    });
  }

  /**
   * Resolves once the stanza is handled as far as its sender's acknowledgement goes: for a
   * groupchat message, when the room has committed it to its archive (the XEP-0198 <a/> then waits
   * for Storage.durable()); other stanzas are queued and the promise is not needed.
   */
  handle(r: Routed): Promise<void> | void {
    const { to, stanza } = r;
    if (!to.local) return void this.serviceStanza(r).catch((err) => this.reject(stanza, err));
    const room = this.get(to.bare());
    const kind = stanza.name;
    const type = stanza.attrs.type;
    if (!room) return void this.noRoom(r).catch((err) => this.reject(stanza, err));
    if (kind === 'presence') return this.enqueue(room, r, () => this.presence(room, r));
    if (kind === 'iq') return this.enqueue(room, r, () => this.iq(room, r));
    if (kind !== 'message') return;
    if (type === 'groupchat' && !to.resource) {
      const h = this.rooms.hostedRoom(room)!;
      let handled!: () => void;
      const committed = new Promise<void>((resolve) => (handled = resolve));
      h.mailbox.push({
        prepare: async () => {
          try {
            return await prepareGroupchat(this.ctx, room, r);
          } catch (err) {
            await this.reject(stanza, err, room);
            return null;
          } finally {
            handled();
          }
        },
      });
      return committed;
    }
    this.enqueue(room, r, () => this.message(room, r));
  }

  /** Stanzas for a room that does not exist: a join creates it (§10.1.1), the rest is item-not-found. */
  private async noRoom(r: Routed): Promise<void> {
    const { stanza, to } = r;
    const type = stanza.attrs.type;
    if (type === 'error' || type === 'result') return;
    if (stanza.name === 'presence') {
      if (type !== undefined) return; // unavailable, probes, subscriptions: nothing to do
      if (!to.resource && !this.newMuc.isJoin(stanza)) throw new StanzaError('jid-malformed', 'Join a room at room@service/nick');
      const policy = this.ctx.options.room_creation;
      const bare = r.from.bare();
      const allowed = policy === 'anyone' || (policy === 'local' && this.ctx.isLocalUser(bare)) || this.ctx.isServerAdmin(bare);
      if (!allowed) throw new StanzaError('not-allowed', 'You may not create rooms on this service');
      const room = this.rooms.create(to.bare());
      room.setAffiliation(bare.toString(), 'owner');
      this.enqueue(room, r, async () => {
        const rest = await this.newMuc.presence(room, r, true);
        if (rest) await onAvailable(this.ctx, room, rest, true);
      });
      return;
    }
    // §17.2 rule 3: messages (and iqs) to a room that does not exist.
    throw new StanzaError('item-not-found', 'No such room');
  }

  private async presence(room: Room, routed: Routed): Promise<void> {
    const r = await this.newMuc.presence(room, routed);
    if (!r) return;
    const type = r.stanza.attrs.type;
    if (type === 'error') {
      // §17.2.2 ghost users: a delivery failure ends that session's presence in the room (333).
      if (isDeliveryFailure(r.stanza)) await onUnavailable(this.ctx, room, r.from, null, [STATUS.error]);
      return;
    }
    if (!r.to.resource) {
      if (type === undefined) throw new StanzaError('jid-malformed', 'Join a room at room@service/nick');
      return;
    }
    if (type === undefined) return onAvailable(this.ctx, room, r, false);
    if (type === 'unavailable') return onUnavailable(this.ctx, room, r.from, r.stanza);
  }

  private async message(room: Room, routed: Routed): Promise<void> {
    const type = routed.stanza.attrs.type ?? 'normal';
    const r = type === 'error' ? routed : this.newMuc.addressed(room, routed);
    if (!r) return;
    if (type === 'error') {
      if (room.bySessionJid(r.from) && isDeliveryFailure(r.stanza)) await onUnavailable(this.ctx, room, r.from, null, [STATUS.error]);
      return;
    }
    if (room.locked) throw new StanzaError('item-not-found', 'No such room');
    if (r.to.resource) return privateMessage(this.ctx, room, r);
    if (isInviteOrDecline(r.stanza)) return handleInvites(this.ctx, room, r);
    const form = voiceRequestForm(r.stanza);
    if (form) return handleVoiceForm(this.ctx, room, r, form);
    if (type === 'headline') return;
    throw new StanzaError('bad-request', 'Messages to the room must be of type groupchat');
  }

  private async iq(room: Room, routed: Routed): Promise<void> {
    const type = routed.stanza.attrs.type;
    const r = type === 'result' || type === 'error' ? routed : this.newMuc.addressed(room, routed);
    if (!r) return;
    if (r.to.resource) {
      if (type === 'result' || type === 'error') return this.relay.response(this.ctx, r);
      if (type !== 'get' && type !== 'set') throw new StanzaError('bad-request', 'Unknown iq type');
      // gc3-participants.md §5: the list is the room's; an occupant is never asked for it.
      if (r.stanza.getChild('participants', NS_PARTICIPANTS)) throw new StanzaError('feature-not-implemented', 'The participant list is fetched from the room JID');
      return this.relay.request(this.ctx, room, r);
    }
    if (type === 'result' || type === 'error') return;
    if (type !== 'get' && type !== 'set') throw new StanzaError('bad-request', 'Unknown iq type');
    const payloads = r.stanza.getChildElements().filter((c) => c.name !== 'error');
    if (payloads.length !== 1) throw new StanzaError('bad-request', 'An iq get or set carries exactly one payload (RFC 6120 §8.2.3)');
    const out = (await this.newMuc.roomIq(room, r, payloads[0])) ?? (await roomIq(this.ctx, room, r, payloads[0]));
    if (out.payload?.is('query', NS.discoInfo) && payloads[0].attrs.node === undefined) this.newMuc.discoInfo(room, out.payload);
    await this.ctx.route(xml('iq', { xmlns: NS.client, type: 'result', id: r.stanza.attrs.id, from: room.jid.toString(), to: r.from.toString() }, out.payload));
    for (const step of out.after ?? []) await step();
  }

  /** Stanzas for the service domain itself: disco (info, room list) and ping. */
  private async serviceStanza(r: Routed): Promise<void> {
    const { stanza } = r;
    const type = stanza.attrs.type;
    if (stanza.name !== 'iq') {
      if (stanza.name === 'message' && type !== 'error') throw new StanzaError('service-unavailable');
      return;
    }
    if (type !== 'get' && type !== 'set') return;
    const payload = stanza.getChildElements().find((c) => c.name !== 'error');
    if (!payload) throw new StanzaError('bad-request', 'No payload');
    let result: Element | undefined;
    const ns = payload.getNS();
    if (type === 'get' && ns === NS.discoInfo) result = serviceInfo(this.ctx, payload.attrs.node);
    else if (type === 'get' && ns === NS.discoItems) result = serviceItems(this.ctx, payload);
    else if (type === 'get' && ns === NS.ping) result = undefined;
    else throw new StanzaError('service-unavailable');
    await this.ctx.route(xml('iq', { xmlns: NS.client, type: 'result', id: stanza.attrs.id, from: this.ctx.domain, to: r.from.toString() }, result));
  }

  /** A client session ended (without or after unavailable presence): it leaves every room it was in. */
  sessionClosed(full: Jid): void {
    for (const h of this.rooms.hostedRooms()) {
      if (!h.room.bySessionJid(full)) continue;
      const room = h.room;
      h.mailbox.push({
        run: async () => {
          await onUnavailable(this.ctx, room, full, null);
          await this.reap(room);
        },
      });
    }
  }

  /** An account was deleted: its affiliations (already gone from the store) go from the loaded rooms. */
  accountDeleted(bare: string): void {
    for (const h of this.rooms.hostedRooms()) {
      const e = h.room.entry(bare);
      if (e && e.affiliation !== 'none') h.room.setAffiliation(bare, 'none', null);
    }
  }

  /** Service shutdown (§14.2 "service removes user because of service shut down"): 332 to everyone. */
  async shutdown(): Promise<void> {
    this.relay.stop();
    const sends: Promise<void>[] = [];
    for (const { room } of this.rooms.hostedRooms()) {
      for (const e of room.occupantEntries()) {
        const sessions = [...e.occupant!.sessions.keys()];
        sends.push(presenceToSessions(this.ctx, room, e, sessions, { type: 'unavailable', codes: [STATUS.shutdown], item: { affiliation: 'none', role: 'none' } }));
      }
    }
    await Promise.all(sends);
  }

  /** Resolves when every room's queue has drained (tests, shutdown). */
  async idle(): Promise<void> {
    await Promise.all([...this.rooms.hostedRooms()].map((h) => h.mailbox.idle()));
  }
}
