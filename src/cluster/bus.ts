// The stanza bus on Redis pub/sub: one channel per node (stanzas for its sessions and rooms) and
// one events channel for all. Redis delivers a connection's publishes to a subscriber in order,
// so one session's stanzas (and its presence updates) arrive in the order they were routed.
// PUBLISH answers how many subscribers got the message: 0 means the node is not listening (dead).
import { Redis } from 'ioredis';
import type { Logger } from '../observability/log.ts';
import type { ClusterKeys } from './keys.ts';
import type { BusMessage, ClusterEvent } from './records.ts';

export interface BusHandlers {
  message(msg: BusMessage): void;
  event(ev: ClusterEvent): void;
}

interface Outgoing {
  msgs: BusMessage[];
  waiters: Array<(got: number) => void>;
}

export class Bus {
  /** Commands and publishes (auto-pipelined: many small publishes share round trips). */
  readonly redis: Redis;
  private readonly sub: Redis;
  /** Messages per node waiting for this turn of the event loop to end: one PUBLISH carries them all. */
  private readonly outgoing = new Map<string, Outgoing>();
  private flushing = false;

  constructor(url: string, private readonly keys: ClusterKeys, private readonly self: string, private readonly log: Logger) {
    const opts = { lazyConnect: true, enableAutoPipelining: true, maxRetriesPerRequest: 3, connectionName: `parley:${self}` };
    this.redis = new Redis(url, opts);
    this.sub = new Redis(url, { ...opts, enableAutoPipelining: false });
    for (const [name, c] of [['commands', this.redis], ['subscriber', this.sub]] as const) {
      c.on('error', (err: Error) => this.log.warn({ err: err.message, connection: name }, 'redis connection error'));
    }
  }

  async start(handlers: BusHandlers): Promise<void> {
    await Promise.all([this.redis.connect(), this.sub.connect()]);
    const mine = this.keys.channel(this.self);
    const events = this.keys.events();
    this.sub.on('message', (channel: string, text: string) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return this.log.warn({ channel }, 'cluster bus message does not parse');
      }
      if (channel === events) {
        try {
          handlers.event(parsed as ClusterEvent);
        } catch (err) {
          this.log.error({ err, channel }, 'cluster event handler failed');
        }
        return;
      }
      if (channel !== mine || !Array.isArray(parsed)) return;
      for (const msg of parsed as BusMessage[]) {
        try {
          handlers.message(msg);
        } catch (err) {
          this.log.error({ err, channel }, 'cluster bus handler failed');
        }
      }
    });
    await this.sub.subscribe(mine, events);
  }

  /**
   * To one node; resolves to the number of nodes that got it (0: nobody listens on that channel).
   * Messages to one node in one turn of the event loop go in one PUBLISH, in order: the per-message
   * cost of a Redis command was most of the bus's cost (bench/cluster.ts).
   */
  send(node: string, msg: BusMessage): Promise<number> {
    let out = this.outgoing.get(node);
    if (!out) this.outgoing.set(node, (out = { msgs: [], waiters: [] }));
    out.msgs.push(msg);
    if (!this.flushing) {
      this.flushing = true;
      setImmediate(() => this.flush());
    }
    const o = out;
    return new Promise((resolve) => o.waiters.push(resolve));
  }

  private flush(): void {
    this.flushing = false;
    const batches = [...this.outgoing];
    this.outgoing.clear();
    for (const [node, out] of batches) {
      this.redis.publish(this.keys.channel(node), JSON.stringify(out.msgs)).then(
        (got) => out.waiters.forEach((w) => w(got)),
        () => out.waiters.forEach((w) => w(0)),
      );
    }
  }

  emit(ev: ClusterEvent): Promise<number> {
    return this.redis.publish(this.keys.events(), JSON.stringify(ev));
  }

  async stop(): Promise<void> {
    await Promise.allSettled([this.sub.quit(), this.redis.quit()]);
  }
}
