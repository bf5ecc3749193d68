// Node liveness: each node renews its key (with a TTL) every heartbeat and checks the others'.
// A node whose key has expired is dead: every node stops routing to its sessions, and one node
// (the one that takes the reap lock) removes its sessions from the registry, tells their contacts
// they are unavailable and takes over its rooms.
import { hostname } from 'node:os';
import type { Logger } from '../observability/log.ts';
import type { Bus } from './bus.ts';
import type { RemoteDirectory } from './directory.ts';
import type { ClusterKeys, NodeInfo } from './keys.ts';
import type { SessionRecord } from './records.ts';

export interface LivenessDeps {
  self: string;
  bus: Bus;
  keys: ClusterKeys;
  ttlMs: number;
  intervalMs: number;
  directory: RemoteDirectory;
  log: Logger;
  /** A dead node's sessions, once, on the node that reaps it. */
  reaped(node: string, sessions: Map<string, SessionRecord>): Promise<void>;
  /** A node is dead (on every node); `reaper` tells whether this node reaps it. */
  nodeDown(node: string, reaper: boolean): Promise<void>;
  /** Each heartbeat, after this node's key is renewed. */
  beat(): Promise<void>;
  /** This node was declared dead (its heartbeat came too late) and reaped: publish its sessions again. */
  reregistered(): Promise<void>;
}

export class Liveness {
  private timer: NodeJS.Timeout | null = null;
  private readonly started = Date.now();
  private readonly suspects = new Set<string>();
  private beating: Promise<void> | null = null;

  constructor(private readonly d: LivenessDeps) {}

  private info(): NodeInfo {
    return { id: this.d.self, pid: process.pid, host: hostname(), started: this.started, heartbeat: Date.now() };
  }

  /** Register, clean up after a previous process with this node id, and read the other nodes' sessions. */
  async start(): Promise<void> {
    const { bus, keys, self } = this.d;
    // Two processes with one node id would steal each other's sessions: wait out a previous one's key.
    const deadline = Date.now() + this.d.ttlMs + 1000;
    while (!(await bus.redis.set(keys.node(self), JSON.stringify(this.info()), 'PX', this.d.ttlMs, 'NX'))) {
      if (Date.now() > deadline) throw new Error(`cluster: node id ${self} is in use by a live node (its key ${keys.node(self)} keeps being renewed)`);
      this.d.log.warn({ node: self }, 'cluster: waiting for the previous process with this node id to expire');
      await new Promise((r) => setTimeout(r, 500));
    }
    // A previous process with this id died without cleaning up: its sessions are gone.
    if ((await bus.redis.hlen(keys.sessions(self))) > 0) await this.reap(self);
    await bus.redis.sadd(keys.nodes(), self);
    for (const node of await bus.redis.smembers(keys.nodes())) if (node !== self) await this.resync(node);
    this.timer = setInterval(() => void this.tick(), this.d.intervalMs);
    this.timer.unref();
  }

  private tick(): void {
    if (this.beating) return; // a slow Redis: never overlap heartbeats
    this.beating = this.heartbeat().catch((err: Error) => this.d.log.warn({ err: err.message }, 'cluster heartbeat failed')).finally(() => (this.beating = null));
  }

  async heartbeat(): Promise<void> {
    const { bus, keys, self } = this.d;
    await bus.redis.set(keys.node(self), JSON.stringify(this.info()), 'PX', this.d.ttlMs);
    if ((await bus.redis.sadd(keys.nodes(), self)) === 1) {
      // Another node reaped this one (a heartbeat later than session_ttl: an overloaded or paused
      // process): its sessions were removed from the registry and announced unavailable.
      this.d.log.error({ node: self }, 'cluster: this node was declared dead by the others; registering its sessions again');
      await this.d.reregistered();
    }
    await this.d.beat();
    const others = (await bus.redis.smembers(keys.nodes())).filter((n) => n !== self);
    const alive = await Promise.all(others.map((n) => bus.redis.exists(keys.node(n))));
    for (let i = 0; i < others.length; i++) {
      const node = others[i];
      if (alive[i] === 0) await this.dead(node);
      else if (this.suspects.has(node)) await this.resync(node);
    }
  }

  /** Routing to a node found nobody listening: stop routing to it until its next heartbeat shows it alive. */
  suspect(node: string): void {
    if (node === this.d.self || this.suspects.has(node)) return;
    this.suspects.add(node);
    this.d.directory.dropNode(node);
    this.d.log.warn({ node }, 'cluster: node does not answer on the bus; its sessions are not routed to');
  }

  private async resync(node: string): Promise<void> {
    this.suspects.delete(node);
    this.d.directory.load(node, await this.d.bus.redis.hgetall(this.d.keys.sessions(node)));
  }

  private async dead(node: string): Promise<void> {
    this.suspects.delete(node);
    this.d.directory.dropNode(node);
    const reaper = await this.reap(node);
    await this.d.nodeDown(node, reaper);
  }

  /** Take the reap lock for `node`; the winner removes its registry entries. True when this node reaped it. */
  private async reap(node: string): Promise<boolean> {
    const { bus, keys } = this.d;
    if (!(await bus.redis.set(keys.reap(node), this.d.self, 'PX', 60_000, 'NX'))) return false;
    const raw = await bus.redis.hgetall(keys.sessions(node));
    await bus.redis.multi().del(keys.sessions(node)).srem(keys.nodes(), node).exec();
    const sessions = new Map<string, SessionRecord>();
    for (const [jid, json] of Object.entries(raw)) {
      try {
        sessions.set(jid, JSON.parse(json) as SessionRecord);
      } catch {
        /* skipped */
      }
    }
    this.d.log.warn({ node, sessions: sessions.size }, 'cluster: node is dead; removing its sessions');
    await bus.emit({ k: 'node-down', node });
    await this.d.reaped(node, sessions);
    return true;
  }

  /** Graceful stop: deregister (other nodes see the sessions go as the streams close). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.beating;
    const { bus, keys, self } = this.d;
    await bus.redis.multi().del(keys.node(self)).srem(keys.nodes(), self).exec();
  }
}
