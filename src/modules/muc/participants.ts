// Participant list fetch with RSM paging (Parley-provisional, urn:xmpp:muc:participants:0;
// design: shared/specs/gc3-participants.md, wire format: docs/muc-participants.md). One entry per
// real bare JID — occupants and affiliated-but-absent users — in (rank, seq) order, filtered,
// paged with opaque cursors that pin each entry's rank to the walk's start, so an entry that exists
// through a whole walk is returned exactly once, in order, while others join, leave or change.
import type { Jid } from '../../jid/index.ts';
import { buildRsmSet, type RsmPage } from '../../rsm/index.ts';
import { StanzaError } from '../../stanza/errors.ts';
import { xml, type Element } from '../../xml/element.ts';
import { keyRank, listedNick, orderKey, stateOf, type Cell } from './participants-order.ts';
import { participantPage, type Placed } from './participants-page.ts';
import { decodeCursor, encodeCursor, filterTag, NS_PARTICIPANTS, parseFilter, parsePaging, type ParticipantFilter } from './participants-request.ts';
import type { Entry, Room } from './room.ts';
import { AFFILIATION_POWER, AFFILIATION_RANK, type Affiliation, type Role } from './types.ts';

export { NS_PARTICIPANTS } from './participants-request.ts';

interface Fetcher {
  affiliation: Affiliation;
  role: Role;
}

const isAdmin = (f: Fetcher) => f.affiliation === 'owner' || f.affiliation === 'admin';

/** §1 Who may fetch: occupants of any role and affiliated users (member+) even when absent; never outcasts. */
function fetcherOf(room: Room, from: Jid): Fetcher {
  const bare = from.bare();
  const affiliation = room.affiliationOf(bare);
  const occupant = room.entry(bare.toString())?.occupant;
  if (affiliation === 'outcast') throw new StanzaError('forbidden', 'Banned users may not list the participants');
  if (!occupant && AFFILIATION_POWER[affiliation] < AFFILIATION_POWER.member) throw new StanzaError('forbidden', 'Only occupants and affiliated users may list the participants');
  return { affiliation, role: occupant?.role ?? 'none' };
}

/**
 * §1 Filters on current attributes; the default is every entry but outcasts. With the room's
 * show_absent off, non-admins see occupants only (absent entries are never in their cells).
 */
function cellFilter(filter: ParticipantFilter, occupantsOnly: boolean): (c: Cell) => boolean {
  const ranks = (filter.affiliation ?? ['owner', 'admin', 'member', 'none']).map((a) => AFFILIATION_RANK[a]);
  return (c) => ranks.includes(c.rank) && (!filter.role || filter.role.includes(c.role)) && (!filter.state || filter.state.includes(c.state)) && !(occupantsOnly && c.state === 'absent');
}

/** §1 Visibility of jid: everything in non-anonymous rooms; in semi-anonymous ones admins see all, moderators occupants. */
function showsJid(room: Room, fetcher: Fetcher, e: Entry): boolean {
  if (room.config.whois === 'anyone') return true;
  if (isAdmin(fetcher)) return e.affiliation !== 'none' || !!e.occupant;
  if (fetcher.role === 'moderator') return !!e.occupant;
  return false;
}

function participantElement(room: Room, fetcher: Fetcher, e: Entry): Element {
  const state = stateOf(e);
  const show = state === 'online' ? room.dominant(e.occupant!).presence.getChildText('show') : undefined;
  return xml('participant', {
    id: room.occupantId(e.jid),
    nick: listedNick(e) ?? undefined,
    affiliation: e.affiliation,
    role: e.occupant?.role ?? 'none',
    state,
    show: show || undefined,
    jid: showsJid(room, fetcher, e) ? e.jid : undefined,
  });
}

/** iq get <participants/> to the room's bare JID. */
export function participantsGet(room: Room, from: Jid, payload: Element): Element {
  const fetcher = fetcherOf(room, from);
  const filter = parseFilter(payload);
  if (filter.affiliation?.includes('outcast') && !isAdmin(fetcher)) throw new StanzaError('forbidden', 'Only admins and owners may list outcasts');
  const { rsm, max } = parsePaging(payload);
  const index = room.participants;
  const occupantsOnly = !room.config.showAbsent && !isAdmin(fetcher);
  const accept = cellFilter(filter, occupantsOnly);
  // §1: count is exact, from the cells' sizes (no scan).
  const count = index.matching(accept).reduce((n, c) => n + c.tree.size, 0);
  const q = xml('participants', { xmlns: NS_PARTICIPANTS, ver: String(index.ver) });
  if (max === 0) return q.append(buildRsmSet({ count }));

  const tag = filterTag(room.jid.toString(), filter, occupantsOnly);
  const cursorText = rsm?.after ?? (rsm?.before || undefined);
  const cursor = cursorText !== undefined ? decodeCursor(cursorText, index.epoch, tag) : undefined;
  const ver0 = cursor?.ver0 ?? index.ver;
  const pinned = index.pinnedSince(ver0);
  if (!pinned) throw new StanzaError('item-not-found', 'The walk began too long ago; start again');
  const backwards = rsm?.before !== undefined;
  const page = participantPage(index, { accept, pinned, from: cursor ? orderKey(cursor.rank, cursor.seq) : undefined, backwards, limit: max });

  for (const p of page.items) q.append(participantElement(room, fetcher, p.entry));
  const at = (p: Placed) => encodeCursor({ epoch: index.epoch, ver0, rank: keyRank(p.key), seq: p.entry.seq }, tag);
  const set: RsmPage = { count };
  if (page.items.length > 0) {
    set.first = at(page.items[0]);
    set.last = at(page.items[page.items.length - 1]);
    // §1: index only where it is free: the first page, the last page (empty <before/>), or a backwards page reaching the start.
    if (!cursor && !backwards) set.firstIndex = 0;
    else if (!cursor && backwards) set.firstIndex = count - page.items.length;
    else if (backwards && !page.more) set.firstIndex = 0;
  }
  return q.append(buildRsmSet(set));
}
