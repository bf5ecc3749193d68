// Re-entering a room that another node took over (docs/clustering.md "Node failure"): the new
// owner starts from the stored room, without occupants, and every node re-enters its own
// sessions. Their clients already believe they are in the room, with the occupants they were
// told about; occupants that do not come back (they were on the dead node) are reported gone
// when the re-entry completes (XEP-0045 §7.2.1: occupants' presence comes before the self-presence
// with status 110), so no client keeps a ghost in its occupant list.
import { xml, type Element } from '../xml/element.ts';
import { NS } from '../xml/namespaces.ts';

const NS_MUC_USER = 'http://jabber.org/protocol/muc#user';

export interface RoomView {
  /** Nicks the client was told are in the room, with their affiliation. */
  present: Map<string, string>;
  /** During a re-entry: nicks announced since it started. */
  rejoining: Set<string> | null;
}

/** A re-entry of `room` starts: the nicks the room announces from now on are the ones still there. */
export function startRejoin(rooms: Map<string, RoomView>, room: string): void {
  let v = rooms.get(room);
  if (!v) rooms.set(room, (v = { present: new Map(), rejoining: null }));
  v.rejoining = new Set();
}

/**
 * Follow a presence from a room occupant to the client (bookkeeping only). Returns the presences
 * to send after it: unavailable for every occupant that a completed re-entry did not announce.
 */
export function observeOccupant(rooms: Map<string, RoomView>, stanza: Element): Element[] {
  const x = stanza.getChild('x', NS_MUC_USER);
  const from = stanza.attrs.from;
  if (!x || !from) return [];
  const slash = from.indexOf('/');
  if (slash < 0) return [];
  const room = from.slice(0, slash);
  const nick = from.slice(slash + 1);
  let v = rooms.get(room);
  const type = stanza.attrs.type;
  const self = x.getChildren('status').some((s) => s.attrs.code === '110');
  if (type === 'unavailable') {
    if (self) rooms.delete(room);
    else v?.present.delete(nick);
    return [];
  }
  if (type !== undefined) return [];
  if (!v) rooms.set(room, (v = { present: new Map(), rejoining: null }));
  v.rejoining?.add(nick);
  if (!self) {
    v.present.set(nick, x.getChild('item')?.attrs.affiliation ?? 'none');
    return [];
  }
  const announced = v.rejoining;
  v.rejoining = null;
  if (!announced) return [];
  const gone = [...v.present].filter(([n]) => !announced.has(n) && n !== nick);
  for (const [n] of gone) v.present.delete(n);
  // XEP-0045 §9.x status 333: removed because of a technical problem (its node died).
  return gone.map(([n, affiliation]) => xml('presence', { xmlns: NS.client, type: 'unavailable', from: `${room}/${n}`, to: stanza.attrs.to },
    xml('x', { xmlns: NS_MUC_USER }, xml('item', { affiliation, role: 'none' }), xml('status', { code: '333' }))));
}
