// Several Parley nodes sharing one PostgreSQL schema and one Redis key prefix (cluster mode,
// docs/clustering.md), each a real process on its own ports. Short TTLs keep failure tests fast.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { dropSchema, freshSchemaName, pgTestUrl } from './postgres.ts';
import { startServer, type RunningServer } from './server.ts';

export const redisTestUrl = process.env.PARLEY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestCluster {
  nodes: Record<string, RunningServer>;
  schema: string;
  prefix: string;
  /** Every node still running, then the schema and the Redis keys. */
  stop(): Promise<void>;
}

export interface ClusterOptions {
  names: string[];
  session_ttl?: number;
  heartbeat_interval?: number;
  room_lease?: number;
  /** Extra config for every node (deep-merged). */
  config?: Record<string, unknown>;
}

export function clusterConfig(o: { schema: string; prefix: string; node: string; session_ttl?: number; heartbeat_interval?: number; room_lease?: number }): Record<string, unknown> {
  return {
    storage: { driver: 'postgres', url: pgTestUrl, schema: o.schema, pool_size: 4 },
    cluster: { redis: redisTestUrl, node_id: o.node, key_prefix: o.prefix, session_ttl: o.session_ttl ?? 3, heartbeat_interval: o.heartbeat_interval ?? 0.5, room_lease: o.room_lease ?? 3 },
  };
}

export async function startCluster(o: ClusterOptions): Promise<TestCluster> {
  const schema = freshSchemaName('parley_cluster');
  const prefix = `parley-test:${process.pid}:${randomBytes(4).toString('hex')}:`;
  const nodes: Record<string, RunningServer> = {};
  const cfg = (node: string) => ({ ...clusterConfig({ schema, prefix, node, ...o }), ...(o.config ?? {}) });
  try {
    // The first node creates the schema (migrations); the others then start side by side.
    const [first, ...rest] = o.names;
    nodes[first] = await startServer({ config: cfg(first) });
    await Promise.all(rest.map(async (n) => (nodes[n] = await startServer({ config: cfg(n) }))));
  } catch (e) {
    await Promise.all(Object.values(nodes).map((s) => s.stop()));
    await dropSchema(schema);
    throw e;
  }
  return {
    nodes,
    schema,
    prefix,
    async stop() {
      await Promise.all(Object.values(nodes).map((s) => s.stop()));
      await dropSchema(schema);
      await deleteKeys(prefix);
    },
  };
}

/** Delete every Redis key under the prefix (SCAN, bounded). */
export async function deleteKeys(prefix: string): Promise<void> {
  const r = new Redis(redisTestUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await r.connect();
    let cursor = '0';
    for (let i = 0; i < 10_000; i++) {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length) await r.del(...keys);
      cursor = next;
      if (cursor === '0') break;
    }
  } finally {
    r.disconnect();
  }
}
