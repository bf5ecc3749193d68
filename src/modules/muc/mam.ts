// XEP-0313 on the room JID (§5.1.2 MUC archives, muc.md §1): the mam module's ArchiveService runs
// the query against the room's archive; the room decides who may ask (whoever may enter now:
// members-only → owner/admin/member; open → anyone not banned) and what each result shows (the
// sender's real JID only to those who may see real JIDs now; XEP-0425 tombstones in place of
// moderated messages). Results precede the iq result.
import { buildForm, field, formTypeField } from '../../forms/index.ts';
import type { Jid } from '../../jid/index.ts';
import { StanzaError } from '../../stanza/errors.ts';
import { xml, type Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';
import type { Actor } from './admin.ts';
import { archiveOwner, renderStored, tombstonesFor } from './archive.ts';
import type { MucCtx } from './context.ts';
import { canSeeRealJids, entryDenial } from './permissions.ts';
import type { Room } from './room.ts';

function checkAccess(room: Room, actor: Actor): void {
  if (!room.config.archive) throw new StanzaError('feature-not-implemented', 'This room is not archived');
  if (entryDenial(actor.affiliation, room.config)) throw new StanzaError('forbidden', 'Only those who may enter the room may read its archive');
}

/** §4.1.1 the query form (get). */
export function mamForm(room: Room, actor: Actor): Element {
  checkAccess(room, actor);
  return xml('query', { xmlns: NS.mam }, buildForm({
    type: 'form',
    fields: [
      formTypeField(NS.mam),
      field('jid-single', 'with'),
      field('text-single', 'start'),
      field('text-single', 'end'),
      field('text-single', 'before-id'),
      field('text-single', 'after-id'),
      field('list-multi', 'ids'),
    ],
  }));
}

/** §5 archive metadata: first and last message. */
export async function mamMetadata(ctx: MucCtx, room: Room, actor: Actor): Promise<Element> {
  checkAccess(room, actor);
  const b = await ctx.archive.bounds(archiveOwner(room));
  const stamp = (t: number) => new Date(t).toISOString();
  return xml('metadata', { xmlns: NS.mam },
    b ? xml('start', { id: b.first.id, timestamp: stamp(b.first.timestamp) }) : undefined,
    b ? xml('end', { id: b.last.id, timestamp: stamp(b.last.timestamp) }) : undefined);
}

/** Run a query; result messages are routed (in order) before the returned <fin/> goes out. */
export async function mamQuery(ctx: MucCtx, room: Room, actor: Actor, from: Jid, payload: Element): Promise<Element> {
  checkAccess(room, actor);
  const service = ctx.archiveService();
  if (!service) throw new StanzaError('feature-not-implemented', 'Message archives are not available (mam module disabled)');
  const results: Element[] = [];
  const fin = await service.query(room.jid, payload, { to: from, send: (m) => results.push(m) });
  const see = canSeeRealJids(actor.role, room.config);
  const ids = results.map((m) => m.getChild('result', NS.mam)?.attrs.id).filter((id): id is string => !!id);
  const tombstones = await tombstonesFor(ctx, room, ids);
  for (const m of results) {
    const result = m.getChild('result', NS.mam);
    const fwd = result?.getChild('forwarded', NS.forward);
    const original = fwd?.getChildElements().find((c) => c.localName === 'message');
    if (result && fwd && original) {
      const shown = renderStored(original.toString(), see, tombstones.get(result.attrs.id ?? ''));
      if (shown) {
        fwd.removeChildren((c) => c === original);
        fwd.append(shown);
      }
    }
    await ctx.route(m);
  }
  return fin;
}
