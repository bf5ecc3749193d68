// The operator's view of the MUC services (MucAdminService): list rooms and occupants, destroy a
// room. A destroy runs in the room's mailbox like any stanza for it, so it cannot interleave with
// a join or a message being handled.
import type { MucAdminService } from '../../core/services.ts';
import { tryParseJid } from '../../jid/index.ts';
import { destroyRoom } from './owner.ts';
import type { MucService } from './service.ts';

export function mucAdminService(services: ReadonlyMap<string, MucService>): MucAdminService {
  const find = (room: string) => {
    const jid = tryParseJid(room);
    if (!jid || !jid.local || jid.resource) return null;
    const svc = services.get(jid.domain);
    const r = svc?.get(jid);
    return svc && r && !r.destroyed ? { svc, room: r } : null;
  };
  return {
    rooms() {
      return [...services.values()].flatMap((svc) =>
        svc.all().filter((r) => !r.destroyed).sort((a, b) => a.createdSeq - b.createdSeq).map((r) => ({
          jid: r.jid.toString(),
          name: r.config.name,
          occupants: r.occupantEntries().length,
          persistent: r.config.persistent,
          public: r.config.public,
          locked: r.locked,
        })),
      );
    },
    occupants(room) {
      const found = find(room);
      if (!found) return null;
      return found.room.occupantEntries().map((e) => ({ nick: e.occupant!.nick, jid: e.jid, role: e.occupant!.role, affiliation: e.affiliation, sessions: e.occupant!.sessions.size }));
    },
    async destroy(room, reason) {
      const found = find(room);
      if (!found) return false;
      const hosted = found.svc.rooms.hostedRoom(found.room);
      if (!hosted) return false;
      return new Promise<boolean>((resolve, reject) => {
        hosted.mailbox.push({
          run: async () => {
            if (found.room.destroyed) return resolve(false);
            try {
              await destroyRoom(found.svc.ctx, found.room, { reason });
              resolve(true);
            } catch (err) {
              reject(err);
            }
          },
        });
      });
    },
  };
}
