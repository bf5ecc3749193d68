// The rooms of one MUC service and their persistence: creating, finding, listing and forgetting
// rooms, each with its mailbox; loading persistent rooms at start and writing their changes
// (configuration, subject, affiliations) through to the MucStore when they are persistent.
import type { Jid } from '../../jid/index.ts';
import { parseJid } from '../../jid/index.ts';
import type { MucStore, StoredAffiliation, StoredRoom } from '../../storage/types.ts';
import { archiveOwner, forgetHistory } from './archive.ts';
import type { MucCtx, RoomRegistry } from './context.ts';
import { Mailbox } from './mailbox.ts';
import { newRoomSecret } from './occupant-id.ts';
import { Room } from './room.ts';
import { parseSubject, serializeSubject } from './subject.ts';
import { defaultConfig, isAffiliation, type RoomConfig } from './types.ts';

export interface Hosted {
  room: Room;
  mailbox: Mailbox;
}

export class RoomDirectory implements RoomRegistry {
  private readonly hosted = new Map<string, Hosted>();
  private createdSeq = 0;

  constructor(private readonly ctx: Omit<MucCtx, 'rooms'>) {}

  private get store(): MucStore {
    return this.ctx.store;
  }

  private defaults(): RoomConfig {
    return defaultConfig({ maxUsers: this.ctx.options.default_max_users, maxHistoryFetch: this.ctx.options.max_history });
  }

  /** Load the service's persistent rooms (their affiliations, config, subject and secret). */
  async load(): Promise<number> {
    this.createdSeq = await this.store.maxCreatedSeq(this.ctx.domain);
    const stored = await this.store.rooms(this.ctx.domain);
    for (const s of stored) this.restore(s);
    this.ctx.metrics.roomsChanged();
    return stored.length;
  }

  private restore(s: StoredRoom & { affiliations: StoredAffiliation[] }): Room {
    let config: RoomConfig;
    try {
      config = { ...this.defaults(), ...(JSON.parse(s.config) as Partial<RoomConfig>) };
    } catch {
      this.ctx.log.warn({ room: s.jid }, 'stored room configuration does not parse; using defaults');
      config = { ...this.defaults(), persistent: true };
    }
    const room = new Room({ jid: parseJid(s.jid), config, secret: Buffer.from(s.secret, 'base64'), createdSeq: s.createdSeq, nextSeq: s.nextSeq, subject: parseSubject(s.subject) });
    for (const a of s.affiliations) if (isAffiliation(a.affiliation)) room.restore({ jid: a.jid, affiliation: a.affiliation, nick: a.nick, seq: a.seq });
    this.host(room);
    this.createdSeq = Math.max(this.createdSeq, s.createdSeq);
    return room;
  }

  /**
   * Cluster mode (docs/clustering.md): this node has just become the room's owner, and another node
   * may have changed or created it since: replace the copy in memory by the stored state (a room that
   * is not stored is forgotten here; its occupants are not carried over).
   */
  async reload(jid: Jid): Promise<void> {
    const key = jid.toString();
    const stored = (await this.store.rooms(this.ctx.domain)).find((s) => s.jid === key);
    const old = this.hosted.get(key);
    if (old) {
      old.room.destroyed = true;
      this.hosted.delete(key);
    }
    this.createdSeq = Math.max(this.createdSeq, await this.store.maxCreatedSeq(this.ctx.domain));
    if (stored) this.restore(stored);
    this.ctx.metrics.roomsChanged();
  }

  private host(room: Room): Hosted {
    const h: Hosted = { room, mailbox: new Mailbox((err) => this.ctx.log.error({ err, room: room.jid.toString() }, 'room task failed')) };
    this.hosted.set(room.jid.toString(), h);
    return h;
  }

  hostedRoom(room: Room): Hosted | undefined {
    const h = this.hosted.get(room.jid.toString());
    return h?.room === room ? h : undefined;
  }

  hostedRooms(): Iterable<Hosted> {
    return this.hosted.values();
  }

  get(jid: Jid): Room | undefined {
    return this.hosted.get(jid.toString())?.room;
  }

  create(jid: Jid): Room {
    const room = new Room({ jid, config: this.defaults(), secret: newRoomSecret(), createdSeq: ++this.createdSeq, locked: this.ctx.options.lock_new_rooms });
    this.host(room);
    this.ctx.metrics.roomsChanged();
    return room;
  }

  async remove(room: Room): Promise<void> {
    const key = room.jid.toString();
    if (this.hosted.get(key)?.room !== room) return;
    this.hosted.delete(key);
    room.destroyed = true;
    forgetHistory(room);
    this.ctx.metrics.roomsChanged();
    await this.store.deleteRoom(key);
    await this.store.deleteTombstones(key);
    await this.ctx.archive.deleteArchive(archiveOwner(room));
  }

  list(): Room[] {
    return [...this.hosted.values()].map((h) => h.room).filter((r) => r.config.public && !r.locked).sort((a, b) => a.createdSeq - b.createdSeq);
  }

  all(): Room[] {
    return [...this.hosted.values()].map((h) => h.room);
  }

  private storedAffiliations(room: Room): StoredAffiliation[] {
    return room.affiliations().map((e) => ({ jid: e.jid, affiliation: e.affiliation, nick: e.reservedNick, seq: e.seq }));
  }

  async saveConfig(room: Room, previouslyPersistent: boolean): Promise<void> {
    const key = room.jid.toString();
    if (!room.config.persistent) {
      if (previouslyPersistent) await this.store.deleteRoom(key);
      return;
    }
    if (!previouslyPersistent) {
      await this.store.saveRoom({ jid: key, service: this.ctx.domain, createdSeq: room.createdSeq, config: JSON.stringify(room.config), subject: serializeSubject(room.subject), secret: room.secret.toString('base64'), nextSeq: room.nextSeq }, this.storedAffiliations(room));
      return;
    }
    await this.store.updateRoom(key, { config: JSON.stringify(room.config), nextSeq: room.nextSeq });
  }

  async saveSubject(room: Room): Promise<void> {
    if (room.config.persistent) await this.store.updateRoom(room.jid.toString(), { subject: serializeSubject(room.subject) });
  }

  async saveAffiliations(room: Room, jids: string[]): Promise<void> {
    if (!room.config.persistent) return;
    const changes = jids.map((jid) => {
      const e = room.entry(jid);
      return e && e.affiliation !== 'none' ? { jid, affiliation: e.affiliation, nick: e.reservedNick, seq: e.seq } : { jid, affiliation: null, nick: null, seq: 0 };
    });
    await this.store.setAffiliations(room.jid.toString(), changes, room.nextSeq);
  }
}
