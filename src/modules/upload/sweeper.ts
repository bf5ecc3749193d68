// The cleanup job: expire files and abandoned slots, drop old tombstones, logs and quarantined
// files, delete files whose rows are gone (account deletion), rescan files stored unscanned.
// Each run does bounded batches so it never holds the event loop or the database for long.
import type { Logger } from '../../observability/log.ts';
import type { Scanner } from '../../scan/types.ts';
import type { FilesStore, QuarantineEntry } from '../../storage/types.ts';
import { removeQuietly, type UploadDisk } from './disk.ts';

export interface SweepDeps {
  store: FilesStore;
  disk: UploadDisk;
  scanner: Scanner | null;
  batch: number;
  tombstoneMs: number;
  logRetentionMs: number;
  quarantineMs: number;
  now(): number;
  log: Logger;
  quarantinePath(e: QuarantineEntry): string | null;
  onInfected(slotId: string, signature: string): Promise<void>;
}

export interface SweepResult {
  expired: number;
  trashed: number;
  rescanned: number;
}

export async function sweep(d: SweepDeps): Promise<SweepResult> {
  const now = d.now();
  let expired = 0;
  for (const s of await d.store.dueSlots(now, d.batch)) {
    // Compare-and-set: a PUT finishing at the same moment keeps its own outcome.
    if (!(await d.store.transitionSlot(s.id, [s.state], 'expired'))) continue;
    await removeQuietly(s.state === 'ready' ? d.disk.file(s.id) : d.disk.tmp(s.id));
    expired++;
  }
  await d.store.purgeTombstones(now - d.tombstoneMs, d.batch);
  const trash = await d.store.takeTrash(d.batch);
  for (const rel of trash) {
    const p = d.disk.resolve(rel);
    if (p) await removeQuietly(p);
  }
  await d.store.purgeLogs(now - d.logRetentionMs, d.batch);
  for (const q of await d.store.expiredQuarantine(now - d.quarantineMs, d.batch)) {
    const p = d.quarantinePath(q);
    if (p) await removeQuietly(p);
    await d.store.deleteQuarantine(q.id);
  }
  let rescanned = 0;
  if (d.scanner) {
    for (const s of await d.store.unscannedSlots(Math.min(d.batch, 20))) {
      const v = await d.scanner.scanFile(d.disk.file(s.id));
      if (v.status === 'error') break; // still down: try next time
      rescanned++;
      if (v.status === 'clean') await d.store.transitionSlot(s.id, ['ready'], 'ready', { verdict: 'clean' });
      else await d.onInfected(s.id, v.signature);
    }
  }
  if (expired || trash.length || rescanned) d.log.info({ expired, trashed: trash.length, rescanned }, 'upload sweep');
  return { expired, trashed: trash.length, rescanned };
}
