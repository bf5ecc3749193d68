// New MUC ("MUC2", proto-XEP 0.1; design: shared/specs/new-muc.md) on Parley's XEP-0045 rooms:
// one room, one state, two protocols. The MUC service calls in at four points:
//   route(inner)   — every stanza the room sends goes through the New MUC view (view.ts);
//   presence(...)  — presence to a room: New MUC joins, bare-JID status/nick/leave, -id addresses (inbound.ts);
//   addressed(...) — message/iq to room/-<occupant-id> (inbound.ts);
//   roomIq(...)    — <join/>/<leave/> iq from a user's server: bare-JID sessions (bare-join.ts).
// Rooms advertise urn:xmpp:muc:0 (disco) only where it works: option new_muc on and the room archived.
// The user-server side (MUC2-PAM) is the muc-pam module (pam.ts).
import type { Routed } from '../../../hooks/events.ts';
import { StanzaError } from '../../../stanza/errors.ts';
import { xml, type Element } from '../../../xml/element.ts';
import { NS_DATA } from '../../../forms/index.ts';
import type { MucCtx } from '../context.ts';
import type { Room } from '../room.ts';
import type { IqOutcome } from '../room-iq.ts';
import { bareJoin, bareLeave } from './bare-join.ts';
import { inboundAddressed, inboundPresence, newMucAvailable } from './inbound.ts';
import { NS_MUC2 } from './ns.ts';
import { muc2Element } from './parse.ts';
import { NewMucState } from './state.ts';
import { NewMucView } from './view.ts';

export class NewMuc {
  readonly state = new NewMucState();
  private view: NewMucView | null = null;
  private ctx: MucCtx | null = null;

  /** The service's context, once built (it holds the wrapped route). */
  bind(ctx: MucCtx): void {
    this.ctx = ctx;
    this.view = new NewMucView(ctx, this.state);
  }

  /** Wrap the service's way out: untouched while no New MUC session exists in the service. */
  route(inner: (stanza: Element) => Promise<void>): (stanza: Element) => Promise<void> {
    return (stanza) => {
      if (this.state.active === 0 || !this.view) return inner(stanza);
      const out = this.view.outbound(stanza);
      if (out instanceof Promise) return out.then((o) => (o ? inner(o) : undefined));
      return out ? inner(out) : Promise.resolve();
    };
  }

  /** `created`: this presence created the room (XEP-0045 §10.1.1). */
  presence(room: Room, r: Routed, created = false): Promise<Routed | null> {
    return inboundPresence(this.ctx!, this.state, room, r, created);
  }

  /** Whether a presence is a New MUC join (to the bare room JID). */
  isJoin(presence: Element): boolean {
    return presence.attrs.type === undefined && !!muc2Element(presence);
  }

  addressed(room: Room, r: Routed): Routed | null {
    return inboundAddressed(this.state, room, r);
  }

  /** A New MUC iq to the room's bare JID: the result payload, or undefined when it is not one. */
  async roomIq(room: Room, r: Routed, payload: Element): Promise<IqOutcome | undefined> {
    if (payload.getNS() !== NS_MUC2) return undefined;
    if (r.stanza.attrs.type !== 'set') throw new StanzaError('bad-request', 'New MUC join and leave are iq-set');
    if (payload.localName === 'join') return { payload: await bareJoin(this.ctx!, this.state, room, r, payload) };
    if (payload.localName === 'leave') {
      await bareLeave(this.ctx!, room, r);
      return {};
    }
    throw new StanzaError('feature-not-implemented', `<${payload.localName}/> is not a New MUC request`);
  }

  /** Room disco#info: urn:xmpp:muc:0 only when the room can serve it (new-muc.md §1). */
  discoInfo(room: Room, info: Element): Element {
    if (!newMucAvailable(this.ctx!, room)) return info;
    const form = info.children.findIndex((c) => typeof c !== 'string' && c.is('x', NS_DATA));
    const feature = xml('feature', { var: NS_MUC2 });
    if (form < 0) info.append(feature);
    else info.children.splice(form, 0, feature);
    return info;
  }
}
