// (3) Memory per idle authenticated connection: the server is restarted (a fresh process, so
// memory freed by earlier work does not hide the cost; not in --quick runs), its RSS sampled once
// it is idle, then N
// clients log in (STARTTLS, SCRAM, bind, initial presence) and sit idle; (RSS after - before) / N.
import { openMany } from '../client/pool.ts';
import type { XmppConnection } from '../client/connection.ts';
import { quiesce } from '../client/quiesce.ts';
import { rssBytes, sleep } from '../peers/proc.ts';
import { percentile, sortedCopy } from '../stats.ts';
import { measure, type Measurement, type RunContext } from './types.ts';

export const MEM_PER_CONN = { key: 'mem.per_conn', label: 'Memory per idle connection (RSS delta / N)', unit: 'KiB', better: 'lower' } as const;
export const MEM_BASE = { key: 'mem.base', label: 'Idle server RSS after start', unit: 'MiB', better: 'lower' } as const;

/** The server's RSS once it has gone idle: the median of five samples 100 ms apart. */
export async function settledRss(pid: number): Promise<number> {
  await quiesce(pid, 30_000);
  await sleep(500);
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    samples.push(rssBytes(pid));
    await sleep(100);
  }
  return percentile(sortedCopy(samples), 50);
}

/** Restart, measure, connect `online` users with presence; the open connections are handed on. */
export async function memoryScenario(ctx: RunContext): Promise<{ measurements: Measurement[]; conns: XmppConnection[] }> {
  const { online, connectConcurrency, connectSeconds } = ctx.scale;
  if (ctx.scale.freshProcess) await ctx.peer.restart();
  const before = await settledRss(ctx.peer.pid());
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const conns = await Promise.race([
    openMany(ctx.peer.target, online, { presence: true, concurrency: connectConcurrency, resource: 'online', onProgress: (n) => ctx.progress(`  ${n}/${online} online`) }),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`could not log in ${online} users within ${connectSeconds} s`)), connectSeconds * 1000))),
  ]).finally(() => clearTimeout(timer));
  const connectSecondsTaken = (performance.now() - t0) / 1000;
  const after = await settledRss(ctx.peer.pid());
  const perConn = (after - before) / 1024 / online;
  ctx.progress(`memory: ${online} users online in ${connectSecondsTaken.toFixed(1)} s; RSS ${(before / 2 ** 20).toFixed(1)} -> ${(after / 2 ** 20).toFixed(1)} MiB = ${perConn.toFixed(1)} KiB per connection`);
  return { measurements: [measure(MEM_PER_CONN, perConn), measure(MEM_BASE, before / 2 ** 20)], conns };
}
