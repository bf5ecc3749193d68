// The operator's view of stored files (FileAdminService): an account's uploads, the quarantine,
// the pull log, and deleting an upload. A delete is the sweeper's expiry done now: compare-and-set
// the slot to 'expired' (a PUT finishing at the same moment keeps its own outcome), then drop the bytes.
import type { FileAdminService } from '../../core/services.ts';
import type { Logger } from '../../observability/log.ts';
import type { FilesStore } from '../../storage/types.ts';
import { removeQuietly, type UploadDisk } from './disk.ts';

const PURPOSES = ['message', 'profile', 'ephemeral', 'permanent'];

export function fileAdminService(store: FilesStore, disk: UploadDisk, log: Logger): FileAdminService {
  return {
    uploads: (username, domain) => store.slotsOf(username, domain, PURPOSES),
    quarantine: (limit) => store.listQuarantine({ includeReleased: true, limit }),
    pulls: (limit) => store.pullLog(limit),
    async deleteUpload(id, admin) {
      const slot = await store.getSlot(id);
      if (!slot || slot.state === 'expired' || slot.state === 'rejected') return false;
      if (!(await store.transitionSlot(id, [slot.state], 'expired'))) return false;
      await removeQuietly(slot.state === 'ready' ? disk.file(id) : disk.tmp(id));
      log.warn({ slot: id, owner: `${slot.username}@${slot.domain}`, name: slot.name, admin }, 'upload deleted by an admin');
      return true;
    },
  };
}
