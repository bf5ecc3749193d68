// The New MUC view: every stanza the room sends passes through here on its way out (the MUC
// service's route), and is shaped for its recipient's protocol. Room logic stays protocol-free
// (XEP-0045 addressing by nick); this layer rewrites for New MUC sessions:
//   - occupant JIDs room/nick → room/-<occupant-id> (proto-XEP §Addressing), inside MAM results too;
//   - <nickname xmlns='urn:xmpp:muc:0'/> in each presence's muc#user <x/>;
//   - presence levels (none / join / full), one presence for a nick change (no 303 pair);
//   - bare-JID-only occupants: unavailable to New MUC sessions, available xa + XEP-0310
//     connection-paused to MUC1 sessions (proto-XEP §Presence Broadcast items 1-2), <delay/>;
//   - the archive summary (XEP-0313 <metadata/>) in the join subject (§Room Subject);
//   - requested visibility (anonymous hides the real JID from everyone, non-anonymous shows it).
import { tryParseJid, type Jid } from '../../../jid/index.ts';
import { xml, type Element } from '../../../xml/element.ts';
import { NS } from '../../../xml/namespaces.ts';
import { archiveOwner } from '../archive.ts';
import type { MucCtx } from '../context.ts';
import { NS_OCCUPANT_ID } from '../occupant-id.ts';
import type { Entry, Room } from '../room.ts';
import { NS_MUC_ADMIN, NS_MUC_USER, STATUS } from '../xep0045.ts';
import { NS_MUC2, NS_PSA, OCCUPANT_ADDRESS, occupantAddress } from './ns.ts';
import type { Muc2Session, NewMucState } from './state.ts';

const hasStatus = (x: Element | undefined, code: number) => !!x?.getChildren('status').some((s) => s.attrs.code === String(code));

/** Whether the occupant is present only through its bare-JID session (no client online in the room). */
export function bareOnly(e: Entry | undefined): boolean {
  if (!e?.occupant || e.occupant.sessions.size === 0) return false;
  for (const s of e.occupant.sessions.values()) if (s.jid.resource) return false;
  return true;
}

export class NewMucView {
  constructor(private readonly ctx: Omit<MucCtx, 'rooms'> & { rooms: MucCtx['rooms'] }, private readonly state: NewMucState) {}

  /** Parsed sender addresses (the same occupant JIDs recur on every fan-out). */
  private readonly jids = new Map<string, Jid | null>();

  private parse(s: string): Jid | null {
    let j = this.jids.get(s);
    if (j === undefined) {
      if (this.jids.size >= 10_000) this.jids.clear();
      j = tryParseJid(s);
      this.jids.set(s, j);
    }
    return j;
  }

  /**
   * Shape `stanza` (already addressed to one recipient) for that recipient; null drops it. Only
   * the join subject needs the archive (a promise); everything else is decided synchronously.
   */
  outbound(stanza: Element): Element | null | Promise<Element | null> {
    const from = this.parse(stanza.attrs.from ?? '');
    if (!from?.local || from.domain !== this.ctx.domain) return stanza;
    const room = this.ctx.rooms.get(from.bare());
    // Rooms without New MUC sessions pass everything through untouched.
    if (!room || !this.state.inUse(room)) return stanza;
    const rec = this.state.get(room, stanza.attrs.to ?? '');
    if (stanza.name === 'message') this.hideAnonymousInMessage(room, stanza);
    else if (stanza.name === 'iq') this.hideAnonymousInRoleList(room, stanza);
    if (!rec) {
      if (stanza.name === 'presence') this.muc1Presence(room, stanza, from);
      return stanza;
    }
    if (stanza.name === 'presence') return this.muc2Presence(room, rec, stanza, from);
    if (stanza.name !== 'message') {
      this.readdress(room, stanza, from);
      return stanza;
    }
    const summary = this.muc2Message(room, stanza, from);
    return summary ? summary.then(() => stanza) : stanza;
  }

  private anonymous(room: Room, e: Entry | undefined): boolean {
    return !!e && this.state.visibilityOf(room, e.jid) === 'anonymous';
  }

  /** History and MAM results carry the sender's real JID for moderators: not for anonymous occupants. */
  private hideAnonymousInMessage(room: Room, m: Element): void {
    const fwd = m.getChild('result', NS.mam)?.getChild('forwarded', NS.forward);
    const target = fwd?.getChildElements().find((c) => c.localName === 'message') ?? m;
    const item = target.getChild('x', NS_MUC_USER)?.getChild('item');
    const id = target.getChild('occupant-id', NS_OCCUPANT_ID)?.attrs.id;
    if (item?.attrs.jid && id && this.anonymous(room, this.state.entryById(room, id))) target.removeChildren((c) => c.is('x', NS_MUC_USER) && c.getChild('item') === item);
  }

  /** muc#admin role lists (XEP-0045 §17.4 rule 5) carry full JIDs: not for anonymous occupants. */
  private hideAnonymousInRoleList(room: Room, iq: Element): void {
    if (iq.attrs.type !== 'result') return;
    for (const item of iq.getChild('query', NS_MUC_ADMIN)?.getChildren('item') ?? []) {
      if (item.attrs.role !== undefined && item.attrs.nick !== undefined && this.anonymous(room, room.byNickname(item.attrs.nick))) delete item.attrs.jid;
    }
  }

  private idOf(room: Room, stanza: Element, from: Jid): string | undefined {
    const own = stanza.getChild('occupant-id', NS_OCCUPANT_ID)?.attrs.id;
    if (own) return own;
    const e = from.resource ? room.byNickname(from.resource) : undefined;
    return e ? room.occupantId(e.jid) : undefined;
  }

  /** room/nick → room/-id, when the sender is (or was) an occupant we can name. */
  private readdress(room: Room, stanza: Element, from: Jid): string | undefined {
    if (!from.resource || OCCUPANT_ADDRESS.test(from.resource)) return undefined;
    const id = this.idOf(room, stanza, from);
    if (id) stanza.attrs.from = occupantAddress(room.jid.toString(), id);
    return id;
  }

  /** Hide or show the real JID as the occupant asked (new-muc.md §1 Visibility). */
  private applyVisibility(room: Room, entry: Entry | undefined, x: Element | undefined, self: boolean): void {
    if (!entry || !x || self) return;
    const item = x.getChild('item');
    if (!item) return;
    const v = this.state.visibilityOf(room, entry.jid);
    if (v === 'anonymous') delete item.attrs.jid;
    else if (v === 'non-anonymous' && entry.occupant && item.attrs.jid === undefined && entry.occupant.sessions.size) item.attrs.jid = room.dominant(entry.occupant).jid.toString();
  }

  /** What an occupant's presence says, for "has it changed": availability, role, affiliation, nick (then show, status). */
  private stateKey(p: Element, x: Element | undefined, nick: string, extra = ''): string {
    const item = x?.getChild('item');
    return [p.attrs.type ?? 'available', item?.attrs.role ?? '', item?.attrs.affiliation ?? '', nick, p.getChildText('show') ?? '', p.getChildText('status') ?? '', extra].join('\u0000');
  }

  /** When the occupant's presence state last changed (recorded from the protocol-neutral original). */
  private changedAt(room: Room, id: string, p: Element, x: Element | undefined, nick: string, entry: Entry | undefined): number {
    return this.state.stateChange(room, id, this.stateKey(p, x, nick, bareOnly(entry) ? 'bare' : ''), this.ctx.now());
  }

  private delay(room: Room, at: number | undefined): Element | undefined {
    return at === undefined ? undefined : xml('delay', { xmlns: NS.delay, from: room.jid.toString(), stamp: new Date(at).toISOString() });
  }

  /** MUC1 recipients: bare-JID-only occupants appear available, xa, annotated (XEP-0310), with <delay/>. */
  private muc1Presence(room: Room, p: Element, from: Jid): void {
    const x = p.getChild('x', NS_MUC_USER);
    const id = p.getChild('occupant-id', NS_OCCUPANT_ID)?.attrs.id;
    if (!id || !x) return;
    const entry = this.state.entryById(room, id);
    const self = hasStatus(x, STATUS.self);
    if (!from.resource) return;
    const at = this.changedAt(room, id, p, x, from.resource, entry);
    this.applyVisibility(room, entry, x, self);
    if (p.attrs.type === 'unavailable' || !bareOnly(entry)) return;
    p.removeChildren((c) => c.name === 'show' || c.is('state-annotation', NS_PSA));
    p.append(xml('show', {}, 'xa'));
    p.append(xml('state-annotation', { xmlns: NS_PSA, from: room.jid.toString() }, xml('connection-paused', {})));
    if (!p.getChild('delay', NS.delay)) p.append(this.delay(room, at)!);
  }

  private muc2Presence(room: Room, rec: Muc2Session, p: Element, from: Jid): Element | null {
    const x = p.getChild('x', NS_MUC_USER);
    const self = hasStatus(x, STATUS.self);
    const unavailable = p.attrs.type === 'unavailable';
    // §Presence Broadcast: level none gets no presence; only the end of its own occupancy (kick,
    // ban, 321/322, shutdown, destroy) still comes, or the client could not know it is out.
    if (rec.level === 'none' && !(self && unavailable && !hasStatus(x, STATUS.nickChanged))) return null;
    // new-muc.md §1: a nick change is one presence (same address, new <nickname/>), not a 303 pair.
    if (unavailable && hasStatus(x, STATUS.nickChanged)) return null;
    const nick = from.resource;
    const id = this.readdress(room, p, from);
    const entry = id ? this.state.entryById(room, id) : undefined;
    const at = id ? this.changedAt(room, id, p, x, nick ?? '', entry) : undefined;
    if (x && nick && !OCCUPANT_ADDRESS.test(nick)) {
      x.removeChildren((c) => c.is('nickname', NS_MUC2));
      x.append(xml('nickname', { xmlns: NS_MUC2 }, nick));
    }
    this.applyVisibility(room, entry, x, self);
    // §Presence Broadcast item 2: an occupant with no client online is shown offline.
    if (!unavailable && !self && bareOnly(entry)) {
      p.attrs.type = 'unavailable';
      p.removeChildren((c) => c.name === 'show');
    }
    if (!id) return p;
    const key = this.stateKey(p, x, nick ?? '');
    const before = rec.shown.get(id);
    if (rec.level === 'join' && !self && before !== undefined) {
      // Level join: availability changes only — and role/affiliation/nick, which moderation needs (new-muc.md §3).
      const strip = (k: string) => k.split('\u0000').slice(0, 4).join('\u0000');
      if (strip(before) === strip(key)) return null;
    }
    if (before === undefined && !self && !p.getChild('delay', NS.delay)) p.append(this.delay(room, at)!);
    if (unavailable) rec.shown.delete(id);
    else rec.shown.set(id, key);
    return p;
  }

  /** Re-address a message; returns a promise only when the join subject's archive summary is being added. */
  private muc2Message(room: Room, m: Element, from: Jid): Promise<void> | null {
    this.readdress(room, m, from);
    // XEP-0313 results from the room: the archived message inside is re-addressed the same way.
    const fwd = m.getChild('result', NS.mam)?.getChild('forwarded', NS.forward);
    const inner = fwd?.getChildElements().find((c) => c.localName === 'message');
    if (inner) {
      const innerFrom = tryParseJid(inner.attrs.from ?? '');
      if (innerFrom) this.readdress(room, inner, innerFrom);
    }
    // §Room Subject: the join subject carries the archive summary (new-muc.md §3: XEP-0313 metadata).
    if (!m.getChild('subject') || m.getChild('body') || !(m.attrs.id ?? '').startsWith(`subject-${room.createdSeq}-`)) return null;
    const bounds = room.config.archive ? this.ctx.archive.bounds(archiveOwner(room)) : Promise.resolve(null);
    return bounds.then((b) => {
      const stamp = (t: number) => new Date(t).toISOString();
      m.append(xml('metadata', { xmlns: NS.mam },
        b ? xml('start', { id: b.first.id, timestamp: stamp(b.first.timestamp) }) : undefined,
        b ? xml('end', { id: b.last.id, timestamp: stamp(b.last.timestamp) }) : undefined));
    });
  }
}
