// Waiting for a server to go idle between scenarios, so work left over from one scenario (queued
// messages, a room's leave broadcasts) is not charged to the next one.
import { cpuSeconds, sleep } from '../peers/proc.ts';

/** Resolves once the process used under `busyShare` of a core over `windowMs`, or after maxMs; returns ms waited. */
export async function quiesce(pid: number, maxMs = 60_000, windowMs = 500, busyShare = 0.1): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    const c0 = cpuSeconds(pid);
    await sleep(windowMs);
    const share = ((cpuSeconds(pid) - c0) * 1000) / windowMs;
    if (share <= busyShare || Date.now() - t0 > maxMs) return Date.now() - t0;
  }
}
