// IQs to a room's bare JID (XEP-0045 §17.4 rule 1: handled by the room, never reflected):
// disco, muc#admin, muc#owner, XEP-0313 on the room, XEP-0425 moderation, XEP-0199 ping.
// Returns the result payload (or nothing) and the steps to run after the result is sent.
import type { Routed } from '../../hooks/events.ts';
import { StanzaError } from '../../stanza/errors.ts';
import type { Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';
import { actorOf, adminList, applyAdminChanges, planAdminSet } from './admin.ts';
import type { MucCtx } from './context.ts';
import { roomInfo, roomItems } from './disco.ts';
import { mamForm, mamMetadata, mamQuery } from './mam.ts';
import { moderate, parseModeration } from './moderation.ts';
import { ownerGet, ownerSet } from './owner.ts';
import { NS_PARTICIPANTS, participantsGet } from './participants.ts';
import type { Room } from './room.ts';
import { NS_MUC_ADMIN, NS_MUC_OWNER } from './xep0045.ts';

export interface IqOutcome {
  payload?: Element;
  after?: Array<() => Promise<void>>;
}

export async function roomIq(ctx: MucCtx, room: Room, r: Routed, payload: Element): Promise<IqOutcome> {
  const type = r.stanza.attrs.type;
  const ns = payload.getNS();
  const actor = actorOf(room, r.from);
  // §10.1.1: a locked room exists only for its owners.
  if (room.locked && actor.affiliation !== 'owner') throw new StanzaError('item-not-found', 'No such room');
  if (type === 'get') {
    if (ns === NS.discoInfo) return { payload: roomInfo(room, r.from, payload.attrs.node, ctx.extraRoomFeatures?.() ?? []) };
    if (ns === NS.discoItems) return { payload: roomItems(payload.attrs.node) };
    if (ns === NS_MUC_ADMIN) return { payload: adminList(room, actor, payload.getChildren('item')) };
    if (ns === NS_MUC_OWNER) return { payload: ownerGet(ctx, room, actor) };
    if (ns === NS_PARTICIPANTS && payload.localName === 'participants') return { payload: participantsGet(room, r.from, payload) };
    if (ns === NS.mam && payload.localName === 'query') return { payload: mamForm(room, actor) };
    if (ns === NS.mam && payload.localName === 'metadata') return { payload: await mamMetadata(ctx, room, actor) };
    if (ns === NS.ping) return {};
  } else {
    if (ns === NS_MUC_ADMIN) {
      const changes = planAdminSet(room, actor, payload.getChildren('item'));
      return { after: await applyAdminChanges(ctx, room, actor, changes) };
    }
    if (ns === NS_MUC_OWNER) return { after: await ownerSet(ctx, room, actor, payload) };
    // gc3-participants.md §5: the list is read-only.
    if (ns === NS_PARTICIPANTS) throw new StanzaError('bad-request', 'The participant list is fetched with iq get');
    if (ns === NS.mam && payload.localName === 'query') return { payload: await mamQuery(ctx, room, actor, r.from, payload) };
    const moderation = parseModeration(payload);
    if (moderation) {
      await moderate(ctx, room, actor, moderation);
      return {};
    }
  }
  // muc.md §3: no room registration form; reserved nicks come with the member list.
  if (ns === NS.register) throw new StanzaError('feature-not-implemented', 'Room registration is not offered; ask an admin to reserve your nickname');
  throw new StanzaError('service-unavailable');
}
