// Every Redis key and channel the cluster uses, in one place (docs/clustering.md lists them).
// All carry the configured prefix, so several clusters (or test runs) can share one Redis.
export class ClusterKeys {
  constructor(readonly prefix: string) {}

  /** A node's liveness: a string with a TTL, renewed by each heartbeat (JSON NodeInfo). */
  node(id: string): string {
    return `${this.prefix}node:${id}`;
  }

  /** Set of node ids that registered and have not been reaped. */
  nodes(): string {
    return `${this.prefix}nodes`;
  }

  /** Hash of one node's sessions: full JID -> JSON SessionRecord. */
  sessions(node: string): string {
    return `${this.prefix}sessions:${node}`;
  }

  /** A MUC room's ownership lease: the owner node id, with a TTL renewed by the owner. */
  lease(room: string): string {
    return `${this.prefix}room:${room}`;
  }

  /** Hash room JID -> the node that owned it last (outlives leases: tells a takeover from a first owner). */
  roomOwners(): string {
    return `${this.prefix}rooms`;
  }

  /** Lock taken by the one node that cleans up after a dead node. */
  reap(node: string): string {
    return `${this.prefix}reap:${node}`;
  }

  /** Pub/sub channel of one node: stanzas for its sessions and rooms. */
  channel(node: string): string {
    return `${this.prefix}bus:${node}`;
  }

  /** Pub/sub channel every node listens to: session and ownership changes. */
  events(): string {
    return `${this.prefix}events`;
  }
}

/** What a node says about itself under its liveness key. */
export interface NodeInfo {
  id: string;
  pid: number;
  host: string;
  started: number;
  heartbeat: number;
}
