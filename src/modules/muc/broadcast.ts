// Presence from the room (XEP-0045 §7.2.3, §17.3): one occupant's presence to every session in
// the room, with the item (affiliation, role, real JID where the viewer may see it, §7.2.4/§7.2.5),
// status codes, and the XEP-0421 occupant-id. The occupant's own sessions get 110 and their own JID.
import { NS } from '../../xml/namespaces.ts';
import { xml, type Element } from '../../xml/element.ts';
import type { MucCtx } from './context.ts';
import { occupantId, setOccupantId } from './occupant-id.ts';
import { canSeeRealJids } from './permissions.ts';
import type { Entry, Room } from './room.ts';
import { mucUserX, STATUS, type ItemInfo } from './xep0045.ts';

export interface OccupantPresenceOpts {
  type?: 'unavailable';
  /** The presence payload to reflect (default: the dominant session's). */
  base?: Element;
  /** The nick in 'from' (default: the occupant's current nick). */
  nick?: string;
  /** Status codes for everyone; selfCodes only for the occupant's own sessions (110 is added). */
  codes?: number[];
  selfCodes?: number[];
  /** Overrides of the item (role none on leave, the new nick of a 303...). */
  item?: Partial<ItemInfo>;
  /** Extra muc#user children (e.g. <destroy/>). */
  extra?: Element[];
  /** Only to these session JIDs (default: everyone in the room). */
  only?: Set<string>;
  /** Never to these session JIDs. */
  except?: Set<string>;
}

export function occupantJid(room: Room, nick: string): string {
  return `${room.jid.toString()}/${nick}`;
}

/** The presence stanza one viewer gets for `entry`; `self` when the viewer is that occupant. */
export function buildOccupantPresence(room: Room, entry: Entry, to: string, self: boolean, seeJids: boolean, o: OccupantPresenceOpts): Element {
  const occ = entry.occupant;
  const nick = o.nick ?? occ?.nick ?? '';
  const dominant = occ && occ.sessions.size ? room.dominant(occ) : null;
  const base = o.base ?? dominant?.presence ?? xml('presence', {});
  const p = base.clone();
  p.attrs.xmlns = NS.client;
  p.attrs.from = occupantJid(room, nick);
  p.attrs.to = to;
  if (o.type) p.attrs.type = o.type;
  else delete p.attrs.type;
  const item: ItemInfo = { affiliation: entry.affiliation, role: o.type === 'unavailable' ? 'none' : (occ?.role ?? 'none'), ...o.item };
  if ((self || seeJids) && dominant && item.jid === undefined) item.jid = dominant.jid.toString();
  if (!(self || seeJids)) delete item.jid;
  const codes = [...(o.codes ?? [])];
  if (self) codes.push(STATUS.self, ...(o.selfCodes ?? []));
  p.append(mucUserX(item, codes, o.extra?.map((e) => e.clone())));
  setOccupantId(p, room.occupantId(entry.jid));
  return p;
}

/**
 * Send `entry`'s presence to every session in the room (or those in opts.only); resolves when
 * routed. Only three versions exist (self, with real JID, without), so each is built once and
 * copied per recipient.
 */
export async function broadcastPresence(ctx: MucCtx, room: Room, entry: Entry, o: OccupantPresenceOpts = {}): Promise<void> {
  const sends: Promise<void>[] = [];
  const variants = new Map<string, Element>();
  for (const { entry: viewer, session } of room.sessions()) {
    const to = session.jid.toString();
    if (o.only && !o.only.has(to)) continue;
    if (o.except?.has(to)) continue;
    const self = viewer === entry;
    const see = canSeeRealJids(viewer.occupant!.role, room.config);
    const key = self ? 'self' : see ? 'see' : 'anon';
    let template = variants.get(key);
    if (!template) variants.set(key, (template = buildOccupantPresence(room, entry, to, self, see, o)));
    const p = template.clone();
    p.attrs.to = to;
    sends.push(ctx.route(p));
  }
  await Promise.all(sends);
}

/** Send `entry`'s presence to sessions that are not (or no longer) in the room, e.g. the kicked occupant's. */
export async function presenceToSessions(ctx: MucCtx, room: Room, entry: Entry, sessions: string[], o: OccupantPresenceOpts): Promise<void> {
  await Promise.all(sessions.map((to) => ctx.route(buildOccupantPresence(room, entry, to, true, true, o))));
}

/** A message from the room itself (status codes, invitations...) to every session. */
export async function messageToAll(ctx: MucCtx, room: Room, build: () => Element): Promise<void> {
  const template = build();
  template.attrs.from = room.jid.toString();
  template.attrs.xmlns = NS.client;
  const sends: Promise<void>[] = [];
  for (const { session } of room.sessions()) {
    const m = template.clone();
    m.attrs.to = session.jid.toString();
    sends.push(ctx.route(m));
  }
  await Promise.all(sends);
}
