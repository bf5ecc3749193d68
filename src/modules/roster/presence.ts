// Presence (RFC 6121 §4): broadcast of a resource's presence to the contacts subscribed to it and
// to the account's own resources, probes on initial presence and their answers, directed presence
// and its end, and delivery of presence addressed to an account's bare JID (§8.5.2.1.2).
import type { Routed } from '../../hooks/events.ts';
import { tryParseJid, type Jid } from '../../jid/index.ts';
import type { Logger } from '../../observability/log.ts';
import type { Router } from '../../router/router.ts';
import type { LocalSession } from '../../router/session.ts';
import { parseElement } from '../../xml/parse-element.ts';
import { xml, type Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';
import { hasDirectedTo, removeDirected, takeDirected } from './directed.ts';
import type { RemoteOnline } from './remote-online.ts';
import type { Rosters } from './rosters.ts';

export interface PresenceDeps {
  rosters: Rosters;
  router: Router;
  remote: RemoteOnline;
  isLocalDomain(domain: string): boolean;
  accountExists(username: string, domain: string): Promise<boolean>;
  log: Logger;
}

const subscribedTo = (s: string) => s === 'to' || s === 'both';
const subscribedFrom = (s: string) => s === 'from' || s === 'both';

/** A copy of a presence stanza with new addresses (the original may be on its way elsewhere). */
export function addressed(stanza: Element, from: Jid, to: Jid): Element {
  const p = stanza.clone();
  p.attrs.from = from.toString();
  p.attrs.to = to.toString();
  return p;
}

export class Presence {
  constructor(private readonly d: PresenceDeps) {}

  /**
   * Presence without 'to' from a resource (§4.2 initial, §4.4 update, §4.5 unavailable). The core
   * has already set session.presence; wasAvailable tells an initial presence from an update.
   */
  async broadcast(stanza: Element, session: LocalSession, wasAvailable: boolean): Promise<void> {
    const available = stanza.attrs.type === undefined;
    const me = session.jid;
    const user = me.bare();
    // §4.6.3: directed presence ends with the resource's unavailable presence.
    const directed = available ? [] : takeDirected(session);
    const reached = new Set<string>([user.toString()]);
    if (available || wasAvailable) {
      const items = await this.d.rosters.items(user);
      // §4.2.2 / §4.4.2 / §4.5.2: to every contact subscribed to the user's presence, at its bare JID.
      for (const item of items) {
        if (!subscribedFrom(item.subscription)) continue;
        const contact = tryParseJid(item.jid);
        if (!contact || reached.has(contact.bare().toString())) continue;
        reached.add(contact.bare().toString());
        await this.d.router.route(addressed(stanza, me, contact), session);
      }
      // §4.2.2: and to all of the user's available resources, the sending one included (an account
      // is implicitly subscribed to itself); unavailable goes to the others.
      for (const s of this.d.router.sessions.resources(user)) {
        if (s === session ? available : s.presence !== null) s.send(addressed(stanza, me, s.jid));
      }
      if (available && !wasAvailable) await this.initial(session, items);
    }
    for (const to of directed) {
      if (reached.has(to.bare().toString())) continue;
      await this.d.router.route(xml('presence', { xmlns: NS.client, type: 'unavailable', from: me.toString(), to: to.toString() }), session);
    }
  }

  /** What only initial presence triggers (§4.2.2, §4.3.1, §3.1.3). */
  private async initial(session: LocalSession, items: { jid: string; subscription: string }[]): Promise<void> {
    const me = session.jid;
    // The presence of the account's other available resources.
    for (const s of this.d.router.sessions.available(me.bare())) {
      if (s !== session && s.presence) session.send(addressed(s.presence, s.jid, me));
    }
    // §4.3.1: probe every contact the user is subscribed to; the answers come to this resource.
    for (const item of items) {
      if (!subscribedTo(item.subscription)) continue;
      const contact = tryParseJid(item.jid);
      if (!contact || contact.bare().equals(me.bare())) continue;
      await this.d.router.route(xml('presence', { xmlns: NS.client, type: 'probe', from: me.toString(), to: contact.bare().toString() }), session);
    }
    // §3.1.3: subscription requests still waiting for an answer are delivered again.
    for (const p of await this.d.rosters.pending(me.bare())) {
      const request = parseElement(p.stanza);
      if (request) session.send(request);
      else this.d.log.warn({ user: me.bare().toString(), contact: p.jid }, 'stored subscription request does not parse');
    }
  }

  /** The resource went away without (or after) unavailable presence: end its directed presence. */
  async closed(session: LocalSession): Promise<void> {
    for (const to of takeDirected(session)) {
      if (to.bare().equals(session.jid.bare())) continue;
      await this.d.router.route(xml('presence', { xmlns: NS.client, type: 'unavailable', from: session.jid.toString(), to: to.toString() }));
    }
  }

  /**
   * Presence without type, unavailable or error for an account's bare JID: §8.5.2.1.2 delivers it to
   * every available resource (none available: it is dropped).
   */
  deliverToBare(r: Routed): void {
    this.observe(r);
    for (const s of this.d.router.sessions.available(r.to)) this.d.router.deliver(s, r);
  }

  /** Bookkeeping for presence that reaches a local account (remote resources online, directed presence errors). */
  observe(r: Routed): void {
    const type = r.stanza.attrs.type;
    if (type === 'error') {
      // An error from a directed-presence recipient ends directed presence to it.
      const targets = r.to.isBare ? this.d.router.sessions.resources(r.to) : [this.d.router.sessions.get(r.to)];
      for (const s of targets) if (s) removeDirected(s, r.from);
      return;
    }
    if (!this.d.isLocalDomain(r.from.domain) && (type === undefined || type === 'unavailable')) this.d.remote.observe(r.from, type === undefined);
  }

  /** §4.3.2: a probe from `r.from` for the presence of the local account `r.to`. */
  async answerProbe(r: Routed): Promise<void> {
    const user = r.to.bare();
    const prober = r.from;
    if (!(await this.d.accountExists(user.local, user.domain))) {
      // §8.5.1 / §4.3.2: no such account: the prober is not subscribed to anything here.
      await this.d.router.route(xml('presence', { xmlns: NS.client, type: 'unsubscribed', from: user.toString(), to: prober.bare().toString() }));
      return;
    }
    const resources = this.d.router.sessions.available(user);
    let answering = resources;
    if (!prober.bare().equals(user)) {
      const item = await this.d.rosters.item(user, prober.bare().toString());
      if (!item || !subscribedFrom(item.subscription)) {
        // Not subscribed: only resources that sent it directed presence may answer; otherwise
        // §4.3.2 says "unsubscribed", which lets the prober's server correct its roster.
        answering = resources.filter((s) => hasDirectedTo(s, prober));
        if (answering.length === 0) {
          await this.d.router.route(xml('presence', { xmlns: NS.client, type: 'unsubscribed', from: user.toString(), to: prober.bare().toString() }));
          return;
        }
      }
    }
    // No available resource: no answer (we keep no last unavailable presence to send instead).
    for (const s of answering) if (s.presence) await this.d.router.route(addressed(s.presence, s.jid, prober));
  }

  /** The current presence of each available resource of `user` (or unavailable from each) to `to`. */
  async sendPresenceOf(user: Jid, to: Jid, kind: 'available' | 'unavailable'): Promise<void> {
    for (const s of this.d.router.sessions.available(user)) {
      const p = kind === 'available' && s.presence ? addressed(s.presence, s.jid, to) : xml('presence', { xmlns: NS.client, type: 'unavailable', from: s.jid.toString(), to: to.toString() });
      await this.d.router.route(p);
    }
  }
}
