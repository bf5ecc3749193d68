// MUC rooms in cluster mode: each room is owned by one node at a time through a lease in Redis
// (a key holding the owner's id, with a TTL the owner renews every heartbeat); its persistent
// state is in PostgreSQL. Stanzas for a room (room@service or room@service/nick) reach the owner:
// other nodes forward them over the bus. A room without an owner is taken by the node that needs
// it; the rooms of a dead node are taken by the node that reaps it. A new owner that follows
// another node reloads the room from storage, and the nodes of the room's occupants re-enter
// them (their clients stay in the room).
import type { HookBus } from '../hooks/bus.ts';
import type { HookEvents, Routed } from '../hooks/events.ts';
import { parseJid, type Jid } from '../jid/index.ts';
import type { Logger } from '../observability/log.ts';
import type { Router } from '../router/router.ts';
import { StanzaError } from '../stanza/errors.ts';
import type { Element } from '../xml/element.ts';
import type { Bus } from './bus.ts';
import type { ClusterKeys } from './keys.ts';
import { toWire } from './wire.ts';

// Compare-and-set scripts: only the holder renews or releases; only a dead holder's lease is taken.
const RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
const STEAL = "local v = redis.call('get', KEYS[1]); if v == false or v == ARGV[1] then redis.call('set', KEYS[1], ARGV[2], 'PX', ARGV[3]); return 1 else return 0 end";

/** Non-presence stanzas for a room just taken over wait this long, so occupants re-enter first. */
const SETTLE_MS = 500;
const RETRY_MS = 250;
const MAX_HOPS = 3;

export interface RoomDeps {
  self: string;
  bus: Bus;
  keys: ClusterKeys;
  leaseMs: number;
  /** How long a forwarded stanza may wait for a dead owner's room to get a new owner. */
  giveUpMs: number;
  router: Router;
  hooks: HookBus<HookEvents>;
  log: Logger;
  isMucService(domain: string): boolean;
  reload(room: Jid): Promise<void>;
}

export class RoomOwnership {
  /** Rooms whose lease this node holds. */
  readonly owned = new Set<string>();
  private readonly owners = new Map<string, string>();
  private readonly resolving = new Map<string, Promise<string>>();
  private readonly settling = new Map<string, number>();
  private readonly hops = new WeakMap<Element, number>();

  constructor(private readonly d: RoomDeps) {}

  start(): () => void {
    return this.d.hooks.on('route/component', (r) => this.gate(r));
  }

  /** 'route/component': true when the stanza went (or will go) to another node, or waits. */
  private async gate(r: Routed): Promise<boolean> {
    if (!r.to.local || !this.d.isMucService(r.to.domain)) return false;
    const room = r.to.bare().toString();
    const owner = this.owned.has(room) ? this.d.self : await this.ownerOf(room);
    if (owner === this.d.self) return this.held(room, r.stanza);
    void this.forward(owner, room, r.stanza, Date.now());
    return true;
  }

  /** Right after a takeover, stanzas other than presence wait a moment (occupants' nodes re-enter them first). */
  private held(room: string, stanza: Element): boolean {
    const until = this.settling.get(room);
    if (until === undefined) return false;
    const wait = until - Date.now();
    if (wait <= 0) {
      this.settling.delete(room);
      return false;
    }
    if (stanza.name === 'presence') return false;
    setTimeout(() => void this.d.router.route(stanza), wait).unref();
    return true;
  }

  /** A stanza another node forwarded: route it here (this node's gate finds it owns the room, or forwards again). */
  routeForwarded(stanza: Element, hops: number): void {
    if (hops > MAX_HOPS) return void this.d.log.warn({ to: stanza.attrs.to }, 'cluster: room stanza forwarded too often; dropped');
    this.hops.set(stanza, hops);
    void this.d.router.route(stanza);
  }

  private async forward(owner: string, room: string, stanza: Element, since: number): Promise<void> {
    const hops = (this.hops.get(stanza) ?? 0) + 1;
    const got = await this.d.bus.send(owner, { k: 'route', x: toWire(stanza), hops }).catch(() => 0);
    if (got > 0) return;
    // Nobody listens on the owner's channel: it is dead. Wait for its lease to expire (or for the
    // node that reaps it to take the room), then route again: the stanza is not lost meanwhile.
    if (this.owners.get(room) === owner) this.owners.delete(room);
    if (Date.now() - since > this.d.giveUpMs) {
      this.d.log.warn({ room, owner }, 'cluster: room owner gone and nobody took the room over');
      return this.d.router.bounce(stanza, new StanzaError('recipient-unavailable', 'The room is moving to another node; try again'));
    }
    await new Promise((r) => setTimeout(r, RETRY_MS).unref());
    const next = this.owned.has(room) ? this.d.self : await this.ownerOf(room).catch(() => owner);
    if (next === this.d.self) return void this.d.router.route(stanza);
    return this.forward(next, room, stanza, since);
  }

  /** The room's owner, taking the room when nobody has it. One lookup at a time per room. */
  private ownerOf(room: string): Promise<string> {
    const cached = this.owners.get(room);
    if (cached !== undefined) return Promise.resolve(cached);
    let p = this.resolving.get(room);
    if (!p) {
      p = this.lookup(room).finally(() => this.resolving.delete(room));
      this.resolving.set(room, p);
    }
    return p;
  }

  private async lookup(room: string): Promise<string> {
    const redis = this.d.bus.redis;
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = await redis.get(this.d.keys.lease(room));
      if (current === this.d.self) {
        this.owned.add(room);
        return current;
      }
      if (current !== null) {
        this.owners.set(room, current);
        return current;
      }
      if (await redis.set(this.d.keys.lease(room), this.d.self, 'PX', this.d.leaseMs, 'NX')) {
        await this.becameOwner(room);
        return this.d.self;
      }
    }
    throw new Error(`cluster: no owner settled for ${room}`);
  }

  /** This node holds the lease now: reload the room if another node owned it last, and say so. */
  private async becameOwner(room: string): Promise<void> {
    const redis = this.d.bus.redis;
    this.owned.add(room);
    this.owners.delete(room);
    const previous = await redis.hget(this.d.keys.roomOwners(), room);
    await redis.hset(this.d.keys.roomOwners(), room, this.d.self);
    const takeover = previous !== null && previous !== this.d.self;
    if (takeover) {
      this.settling.set(room, Date.now() + SETTLE_MS);
      await this.d.reload(parseJid(room));
      this.d.log.info({ room, previous }, 'cluster: took over room');
    }
    await this.d.bus.emit({ k: 'room', room, node: this.d.self, takeover });
  }

  /** Another node announced it owns `room`. */
  ownerChanged(room: string, node: string): void {
    if (node === this.d.self) return;
    this.owners.set(room, node);
    if (this.owned.delete(room)) this.d.log.warn({ room, node }, 'cluster: lost a room to another node');
  }

  /** A node died: forget it as an owner; with `take`, this node takes its rooms (it reaps the node). */
  async nodeDown(node: string, take: boolean): Promise<void> {
    for (const [room, owner] of this.owners) if (owner === node) this.owners.delete(room);
    if (!take) return;
    const redis = this.d.bus.redis;
    const all = await redis.hgetall(this.d.keys.roomOwners());
    for (const [room, owner] of Object.entries(all)) {
      if (owner !== node) continue;
      if ((await redis.eval(STEAL, 1, this.d.keys.lease(room), node, this.d.self, String(this.d.leaseMs))) === 1) await this.becameOwner(room);
    }
  }

  /** Every heartbeat: keep the leases; a lease found lost is given up here. */
  async renew(): Promise<void> {
    const redis = this.d.bus.redis;
    await Promise.all([...this.owned].map(async (room) => {
      if ((await redis.eval(RENEW, 1, this.d.keys.lease(room), this.d.self, String(this.d.leaseMs))) === 1) return;
      this.owned.delete(room);
      this.d.log.warn({ room }, 'cluster: room lease lost');
    }));
  }

  /** Graceful stop: hand every room back (the next node to need one takes it and reloads it). */
  async release(): Promise<void> {
    const redis = this.d.bus.redis;
    await Promise.all([...this.owned].map((room) => redis.eval(RELEASE, 1, this.d.keys.lease(room), this.d.self)));
    this.owned.clear();
  }

  /** Nodes known to own rooms (for status). */
  knownOwners(): Map<string, string> {
    const m = new Map(this.owners);
    for (const r of this.owned) m.set(r, this.d.self);
    return m;
  }
}
