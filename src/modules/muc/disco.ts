// Service discovery for the MUC service and its rooms (XEP-0045 §6): the service's identity and
// features, its public rooms as disco#items (stable creation order, XEP-0059 paging), a room's
// features and muc#roominfo form (§6.4, §15.5.4), and the reserved-nick node (§7.12).
import { buildForm, field, formTypeField, type Field } from '../../forms/index.ts';
import type { Jid } from '../../jid/index.ts';
import { buildRsmSet, pageSize, paginate, parseRsm } from '../../rsm/index.ts';
import { StanzaError } from '../../stanza/errors.ts';
import { xml, type Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';
import type { MucCtx } from './context.ts';
import { NS_MODERATE_0, NS_MODERATE_1 } from './moderation.ts';
import { NS_OCCUPANT_ID } from './occupant-id.ts';
import { NS_PARTICIPANTS } from './participants-request.ts';
import type { Room } from './room.ts';
import { NS_MUC, NS_MUC_REQUEST, NS_MUC_ROOMINFO, NS_SELF_PING_OPT, NS_STABLE_ID } from './xep0045.ts';

export const RESERVED_NICK_NODE = 'x-roomuser-item';
const TRAFFIC_NODE = 'http://jabber.org/protocol/muc#traffic';

/** Features of the service itself; occupant-id is on for every room, so the service says so too (XEP-0421 §4). */
export const SERVICE_FEATURES = [NS.discoInfo, NS.discoItems, NS_MUC, NS_OCCUPANT_ID, NS.rsm];

export function serviceInfo(ctx: MucCtx, node: string | undefined): Element {
  if (node !== undefined) throw new StanzaError('item-not-found', 'No such node');
  return xml('query', { xmlns: NS.discoInfo },
    xml('identity', { category: 'conference', type: 'text', name: ctx.options.name }),
    SERVICE_FEATURES.map((f) => xml('feature', { var: f })));
}

/** §6.3: public rooms (unlocked), in creation order, paged with RSM when asked (and capped when not). */
export function serviceItems(ctx: MucCtx, payload: Element): Element {
  if (payload.attrs.node !== undefined) throw new StanzaError('item-not-found', 'No such node');
  const rooms = ctx.rooms.list();
  const req = parseRsm(payload);
  if (req?.index !== undefined && (req.after !== undefined || req.before !== undefined)) throw new StanzaError('bad-request', 'RSM index cannot be combined with after or before');
  const max = pageSize(req, ctx.options.max_rooms_per_page, ctx.options.max_rooms_per_page);
  const page = paginate(rooms, (r) => r.jid.toString(), req, max);
  const q = xml('query', { xmlns: NS.discoItems });
  for (const r of page.items) q.append(xml('item', { jid: r.jid.toString(), name: r.config.name || r.jid.local }));
  if (req || page.items.length < rooms.length) q.append(buildRsmSet(page));
  return q;
}

function roomFeatures(room: Room): string[] {
  const c = room.config;
  const f = [
    NS.discoInfo, NS.discoItems, NS_MUC, NS_OCCUPANT_ID, NS_SELF_PING_OPT, NS_STABLE_ID, NS.stanzaId, NS_MUC_REQUEST,
    NS_MODERATE_0, NS_MODERATE_1, NS_PARTICIPANTS,
    c.public ? 'muc_public' : 'muc_hidden',
    c.persistent ? 'muc_persistent' : 'muc_temporary',
    c.membersOnly ? 'muc_membersonly' : 'muc_open',
    c.moderated ? 'muc_moderated' : 'muc_unmoderated',
    c.whois === 'anyone' ? 'muc_nonanonymous' : 'muc_semianonymous',
    c.passwordProtected ? 'muc_passwordprotected' : 'muc_unsecured',
  ];
  if (c.archive) f.push(NS.mam, NS.mamExtended);
  return f;
}

/** §6.4 room info with the muc#roominfo form (XEP-0128). */
export function roomInfo(room: Room, requester: Jid, node: string | undefined, extraFeatures: string[] = []): Element {
  if (node === RESERVED_NICK_NODE) {
    // §7.12: the requester's reserved nick as the identity name, or no identity at all.
    const nick = room.entry(requester.bare().toString())?.reservedNick;
    return xml('query', { xmlns: NS.discoInfo, node }, nick ? xml('identity', { category: 'conference', type: 'text', name: nick }) : undefined);
  }
  // §17.2.1 Allowable Traffic: the room passes every extension through, so there is no #traffic list.
  if (node === TRAFFIC_NODE) throw new StanzaError('service-unavailable');
  if (node !== undefined) throw new StanzaError('item-not-found', 'No such node');
  const c = room.config;
  const fields: Field[] = [
    formTypeField(NS_MUC_ROOMINFO),
    field('text-single', 'muc#roomconfig_roomname', { label: 'Natural-Language Room Name', values: [c.name] }),
    field('text-single', 'muc#roominfo_description', { label: 'Short Description of Room', values: [c.description] }),
    field('text-single', 'muc#roominfo_subject', { label: 'Current Discussion Topic', values: [room.subject?.text ?? ''] }),
    field('boolean', 'muc#roominfo_subjectmod', { label: 'The room subject can be modified by participants', values: [c.changeSubject ? '1' : '0'] }),
    field('text-single', 'muc#roominfo_occupants', { label: 'Current Number of Occupants in Room', values: [String(room.occupants)] }),
    field('text-single', 'muc#maxhistoryfetch', { label: 'Maximum Number of History Messages Returned by Room', values: [String(c.maxHistoryFetch)] }),
  ];
  if (c.lang) fields.push(field('text-single', 'muc#roominfo_lang', { label: 'Natural Language for Room Discussions', values: [c.lang] }));
  // Owners as contacts only where real JIDs are public anyway.
  if (c.whois === 'anyone') fields.push(field('jid-multi', 'muc#roominfo_contactjid', { label: 'Contact Addresses', values: room.withAffiliation(['owner']).map((e) => e.jid) }));
  return xml('query', { xmlns: NS.discoInfo },
    xml('identity', { category: 'conference', type: 'text', name: c.name || room.jid.local }),
    [...new Set([...roomFeatures(room), ...extraFeatures])].map((f) => xml('feature', { var: f })),
    buildForm({ type: 'result', fields }));
}

/** §6.5: a room's items would list occupants; Parley lists none (no JIDs or nicks leak to non-occupants). */
export function roomItems(node: string | undefined): Element {
  if (node !== undefined) throw new StanzaError('item-not-found', 'No such node');
  return xml('query', { xmlns: NS.discoItems });
}
