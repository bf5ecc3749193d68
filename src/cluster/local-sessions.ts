// Publishes this node's sessions to the cluster registry: a record per bound full JID in the
// node's sessions hash, and each change on the events channel, so other nodes route to them.
// Records change with presence (RFC 6121 §4), roster interest, per-session flags (carbons...),
// hibernation (XEP-0198) and directed presence (RFC 6121 §4.6, which includes MUC occupancy:
// the joins are kept here so that a room taken over by another node can be re-entered).
import type { HookBus } from '../hooks/bus.ts';
import type { HookEvents } from '../hooks/events.ts';
import { tryParseJid } from '../jid/index.ts';
import type { Logger } from '../observability/log.ts';
import { asClientSession, type LocalSession } from '../router/session.ts';
import type { Element } from '../xml/element.ts';
import type { Bus } from './bus.ts';
import type { ClusterKeys } from './keys.ts';
import { sameRecord, snapshot, type SessionRecord } from './records.ts';
import { observeOccupant, startRejoin, type RoomView } from './rejoin.ts';

const NS_MUC_USER = 'http://jabber.org/protocol/muc#user';
const MAX_DIRECTED = 200;

interface Tracked {
  published?: SessionRecord;
  /** Directed presence targets (full JIDs), with the available presence last sent to each. */
  directed: Map<string, Element>;
  /** Per room JID: the occupants (nicks) this client was told about (rejoin.ts). */
  rooms: Map<string, RoomView>;
  offStage?: () => void;
}

export class LocalSessions {
  private readonly tracked = new Map<LocalSession, Tracked>();

  constructor(private readonly d: { self: string; bus: Bus; keys: ClusterKeys; hooks: HookBus<HookEvents>; log: Logger }) {}

  start(): () => void {
    const h = this.d.hooks;
    const offs = [
      h.on('session/bound', ({ session }) => this.bound(session)),
      // After vcard (1000) stamps the presence, before the roster module (0) broadcasts it.
      h.on('presence/broadcast', ({ session }) => this.changed(session), 900),
      h.on('session/hibernated', ({ session }) => this.changed(session)),
      h.on('session/resumed', ({ session }) => this.changed(session)),
      h.on('session/closed', ({ session }) => this.closed(session)),
      // Observe directed presence (never consume), after the modules that may stop it.
      h.on('client/stanza', ({ stanza, session }) => this.outgoing(stanza, session), -200),
    ];
    return () => offs.forEach((off) => off());
  }

  private bound(session: LocalSession): void {
    const t: Tracked = { directed: new Map(), rooms: new Map() };
    this.tracked.set(session, t);
    // An iq result to the client follows the handler that changed its state (roster get sets
    // 'interested', carbons enable sets a flag): look again then.
    t.offStage = asClientSession(session)?.addOutboundStage((stanza, next) => {
      if (stanza.name === 'iq' && stanza.attrs.type === 'result') this.changed(session);
      else if (stanza.name === 'presence' && stanza.attrs.type === 'unavailable') this.leftRoom(session, stanza);
      const gone = stanza.name === 'presence' ? observeOccupant(t.rooms, stanza) : [];
      next(stanza);
      for (const p of gone) session.send(p);
    }, -1000);
    this.changed(session);
  }

  /** Publish the session's record if it differs from the last one published. */
  changed(session: LocalSession): void {
    const t = this.tracked.get(session);
    if (!t) return;
    const rec = snapshot(session, t.directed.keys());
    if (sameRecord(t.published, rec)) return;
    t.published = rec;
    const jid = session.jid.toString();
    void this.d.bus.redis.hset(this.d.keys.sessions(this.d.self), jid, JSON.stringify(rec)).catch((err: Error) => this.d.log.warn({ err: err.message }, 'cluster: session record not stored'));
    void this.d.bus.emit({ k: 'session', node: this.d.self, jid, rec }).catch(() => {});
  }

  /** Publish every session's record again (after the registry lost them), and its presence to its contacts. */
  republish(): void {
    for (const [session, t] of this.tracked) {
      t.published = undefined;
      this.changed(session);
      // The other nodes told this session's contacts it was unavailable: tell them it is not.
      if (session.presence) void this.d.hooks.fire('presence/broadcast', { stanza: session.presence, session, wasAvailable: true });
    }
  }

  private closed(session: LocalSession): void {
    const t = this.tracked.get(session);
    if (!t) return;
    this.tracked.delete(session);
    t.offStage?.();
    const jid = session.jid.toString();
    // A new session with the same full JID may already be bound here (resource conflict): keep its record.
    for (const other of this.tracked.keys()) if (other.jid.toString() === jid) return;
    void this.d.bus.redis.hdel(this.d.keys.sessions(this.d.self), jid).catch(() => {});
    void this.d.bus.emit({ k: 'session', node: this.d.self, jid, rec: null }).catch(() => {});
  }

  /** RFC 6121 §4.6: available presence with a 'to' is directed presence; unavailable ends it. */
  private outgoing(stanza: Element, session: LocalSession): void {
    if (stanza.name !== 'presence' || stanza.attrs.to === undefined) return;
    const t = this.tracked.get(session);
    const to = tryParseJid(stanza.attrs.to);
    if (!t || !to || to.bare().equals(session.jid.bare())) return;
    const type = stanza.attrs.type;
    const key = to.toString();
    if (type === undefined) {
      const had = t.directed.delete(key);
      t.directed.set(key, stanza.clone());
      if (t.directed.size > MAX_DIRECTED) t.directed.delete(t.directed.keys().next().value as string);
      if (!had) this.changed(session);
    } else if (type === 'unavailable' && t.directed.delete(key)) this.changed(session);
  }

  /** XEP-0045 §7.14 / §9: the room says this session is out (status 110 on unavailable self-presence). */
  private leftRoom(session: LocalSession, stanza: Element): void {
    const x = stanza.getChild('x', NS_MUC_USER);
    if (!x || !x.getChildren('status').some((s) => s.attrs.code === '110')) return;
    const t = this.tracked.get(session);
    if (t?.directed.delete(stanza.attrs.from ?? '')) this.changed(session);
  }

  /** Local sessions' directed presence to occupant JIDs of `room` (to re-enter a room taken over by another node). */
  joinsOf(room: string): Array<{ session: LocalSession; presence: Element }> {
    const out: Array<{ session: LocalSession; presence: Element }> = [];
    for (const [session, t] of this.tracked) {
      for (const [to, presence] of t.directed) {
        if (tryParseJid(to)?.bare().toString() !== room) continue;
        startRejoin(t.rooms, room);
        out.push({ session, presence });
      }
    }
    return out;
  }

  /** Forget everything this node published (graceful stop; the streams' close already removed most). */
  async clear(): Promise<void> {
    for (const t of this.tracked.values()) t.offStage?.();
    this.tracked.clear();
    await this.d.bus.redis.del(this.d.keys.sessions(this.d.self));
  }
}
