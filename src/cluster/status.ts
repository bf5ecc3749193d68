// `parley cluster status`: what Redis says about the cluster: nodes (alive while their heartbeat
// key lives), sessions per node, and which node owns each MUC room (with the lease time left).
import { Redis } from 'ioredis';
import type { Config } from '../config/schema.ts';
import { maskSecrets } from '../config/mask.ts';
import { ClusterKeys, type NodeInfo } from './keys.ts';

export interface ClusterStatus {
  nodes: Array<{ id: string; alive: boolean; sessions: number; info: NodeInfo | null }>;
  rooms: Array<{ room: string; owner: string; leaseMs: number }>;
}

async function scanKeys(r: Redis, match: string, limit = 100_000): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', match, 'COUNT', 1000);
    out.push(...keys);
    cursor = next;
  } while (cursor !== '0' && out.length < limit);
  return out;
}

export async function readStatus(url: string, keys: ClusterKeys): Promise<ClusterStatus> {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5000 });
  try {
    await r.connect();
    const ids = new Set(await r.smembers(keys.nodes()));
    for (const k of await scanKeys(r, `${keys.node('')}*`)) ids.add(k.slice(keys.node('').length));
    const nodes = await Promise.all([...ids].sort().map(async (id) => {
      const raw = await r.get(keys.node(id));
      let info: NodeInfo | null = null;
      try {
        info = raw ? (JSON.parse(raw) as NodeInfo) : null;
      } catch {
        /* not ours */
      }
      return { id, alive: raw !== null, sessions: await r.hlen(keys.sessions(id)), info };
    }));
    const leasePrefix = keys.lease('');
    const rooms = await Promise.all((await scanKeys(r, `${leasePrefix}*`)).sort().map(async (k) => ({ room: k.slice(leasePrefix.length), owner: (await r.get(k)) ?? '-', leaseMs: await r.pttl(k) })));
    return { nodes, rooms: rooms.filter((x) => x.owner !== '-') };
  } finally {
    r.disconnect();
  }
}

export function formatStatus(s: ClusterStatus, now = Date.now()): string {
  const w = Math.max(4, ...s.nodes.map((n) => n.id.length));
  const lines = [`${'node'.padEnd(w)}  state  sessions     host (pid), last heartbeat`];
  for (const n of s.nodes) {
    const sessions = `${n.sessions} session${n.sessions === 1 ? '' : 's'}`;
    const where = n.info ? `${n.info.host} (${n.info.pid}), ${((now - n.info.heartbeat) / 1000).toFixed(1)} s ago` : 'no heartbeat';
    lines.push(`${n.id.padEnd(w)}  ${(n.alive ? 'alive' : 'dead').padEnd(5)}  ${sessions.padEnd(11)}  ${where}`);
  }
  lines.push('', s.rooms.length ? 'room owners:' : 'room owners: none');
  const rw = Math.max(4, ...s.rooms.map((x) => x.room.length));
  for (const x of s.rooms) lines.push(`  ${x.room.padEnd(rw)}  ${x.owner}  (lease ${(x.leaseMs / 1000).toFixed(1)} s left)`);
  return `${lines.join('\n')}\n`;
}

export async function cmdClusterStatus(config: Config, sub: string | undefined): Promise<number> {
  if (sub !== 'status') {
    process.stderr.write('usage: parley cluster status\n');
    return 2;
  }
  const url = config.cluster.redis;
  if (!url) {
    process.stderr.write('cluster mode is off: set [cluster] redis in the configuration\n');
    return 1;
  }
  try {
    const s = await readStatus(url, new ClusterKeys(config.cluster.key_prefix));
    process.stdout.write(`cluster ${JSON.stringify(config.cluster.key_prefix)} on ${String(maskSecrets(url))}: ${s.nodes.filter((n) => n.alive).length} of ${s.nodes.length} nodes alive\n\n`);
    process.stdout.write(formatStatus(s));
    return 0;
  } catch (e) {
    process.stderr.write(`cannot read the cluster state from Redis: ${(e as Error).message}\n`);
    return 1;
  }
}
