// RFC 6121 rosters and presence: roster get/set/remove with pushes and versioning (§2, XEP-0237),
// the subscription state machine with pre-approval (§3, Appendix A), presence broadcast, probes
// and directed presence (§4), and presence delivery to an account's bare JID (§8.5.2.1.2).
// Config: [modules.roster] max_items, max_name_length, max_group_length, max_groups, versioning, pre_approval.
// Stream features: urn:xmpp:features:rosterver, urn:xmpp:features:pre-approval.
// Iq: get/set jabber:iq:roster (bare). Service: 'roster' (RosterService).
// Hooks: 'client/stanza' (outbound subscriptions, directed presence), 'presence/broadcast' (§4.2-§4.5),
// 'presence/bare' + 'presence/full' (inbound subscriptions, probes, delivery), 'session/closed'
// (§4.6.3). Fires 'roster/changed'.
import { z } from 'zod';
import { defineModule } from '../types.ts';
import { tryParseJid } from '../../jid/index.ts';
import type { LocalSession } from '../../router/session.ts';
import { StanzaError } from '../../stanza/errors.ts';
import { xml, type Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';
import { addDirected, removeDirected } from './directed.ts';
import { Presence } from './presence.ts';
import { RemoteOnline } from './remote-online.ts';
import { rosterGet, rosterSet } from './roster-iq.ts';
import { Rosters } from './rosters.ts';
import { rosterService } from './service.ts';
import { isSubscriptionType } from './subscription.ts';
import { Subscriptions } from './subscriptions.ts';

/** How long a client's next stanza waits for its presence work before going ahead anyway. */
const MAX_ORDERING_WAIT_MS = 5000;

export default defineModule({
  name: 'roster',
  description: 'RFC 6121 rosters, presence subscriptions and presence',
  options: z.object({
    max_items: z.number().int().min(1).max(1_000_000).default(1000).describe('Most items one roster may hold; a roster set or subscription that would add one more fails with policy-violation'),
    max_name_length: z.number().int().min(1).max(65536).default(1024).describe('Longest roster item name in characters; longer gets not-acceptable (RFC 6121 §2.3.3)'),
    max_group_length: z.number().int().min(1).max(65536).default(1024).describe('Longest roster group name in characters; longer gets not-acceptable (RFC 6121 §2.3.3)'),
    max_groups: z.number().int().min(1).max(10000).default(100).describe('Most groups one roster item may be in'),
    versioning: z.boolean().default(true).describe('Roster versioning (RFC 6121 §2.6, XEP-0237): a client whose roster is current gets an empty result'),
    pre_approval: z.boolean().default(true).describe('Subscription pre-approval (RFC 6121 §3.4)'),
  }).strict(),
  start(ctx) {
    const o = ctx.options;
    const accountExists = (u: string, d: string) => ctx.accounts.exists(u, d);
    const localDomains = new Set(ctx.domains.map((d) => d.toLowerCase()));
    const isLocalDomain = (d: string) => localDomains.has(d);
    const rosters = new Rosters(ctx.storage.roster, ctx.router.sessions, ctx.hooks);
    const remote = new RemoteOnline();
    const presence = new Presence({ rosters, router: ctx.router, remote, isLocalDomain, accountExists, log: ctx.log });
    const subscriptions = new Subscriptions({ rosters, presence, router: ctx.router, accountExists, maxItems: o.max_items, preApproval: o.pre_approval });
    const iqDeps = {
      rosters,
      presence,
      router: ctx.router,
      versioning: o.versioning,
      limits: { maxItems: o.max_items, maxNameLength: o.max_name_length, maxGroupLength: o.max_group_length, maxGroups: o.max_groups },
    };

    const offFeatures = ctx.streamFeatures.add({
      features: () => [
        ...(o.versioning ? [xml('ver', { xmlns: NS.rosterVer })] : []),
        ...(o.pre_approval ? [xml('sub', { xmlns: NS.preApproval })] : []),
      ],
    });
    ctx.iq.handle(NS.roster, 'get', rosterGet(iqDeps), { scope: 'bare' });
    ctx.iq.handle(NS.roster, 'set', rosterSet(iqDeps), { scope: 'bare' });
    ctx.services.provide('roster', rosterService({ rosters, router: ctx.router, remote, isLocalDomain }));

    // One resource's presence work runs in the order the client sent it (RFC 6120 §10.1), also
    // when the core fires 'presence/broadcast' without waiting for it; the client's next stanzas
    // wait for it (boundedly: a stuck route must not stall the session).
    const queues = new WeakMap<LocalSession, { tail: Promise<unknown>; pending: number }>();
    const inOrder = <T>(session: LocalSession, fn: () => Promise<T>): Promise<T> => {
      let q = queues.get(session);
      if (!q) queues.set(session, (q = { tail: Promise.resolve(), pending: 0 }));
      const queue = q;
      queue.pending++;
      const run = queue.tail.then(fn).finally(() => queue.pending--);
      queue.tail = run.catch((err: unknown) => ctx.log.error({ err }, 'presence handling failed'));
      return run;
    };
    const settled = (session: LocalSession): Promise<boolean> | false => {
      const q = queues.get(session);
      if (!q || q.pending === 0) return false;
      let timer: NodeJS.Timeout | undefined;
      const waited = new Promise<false>((r) => (timer = setTimeout(() => r(false), MAX_ORDERING_WAIT_MS)));
      return Promise.race([q.tail.then(() => false as const), waited]).finally(() => clearTimeout(timer));
    };

    // The user's client: subscription stanzas (§3) and directed presence (§4.6).
    const offClient = ctx.hooks.on('client/stanza', ({ stanza, session }) => {
      if (stanza.name !== 'presence' || stanza.attrs.to === undefined) return settled(session);
      return inOrder(session, () => outboundPresence(stanza, session));
    });
    const outboundPresence = async (stanza: Element, session: LocalSession): Promise<boolean> => {
      const to = tryParseJid(stanza.attrs.to ?? '');
      if (!to) return false; // the router answers <jid-malformed/>
      const type = stanza.attrs.type;
      if (isSubscriptionType(type)) {
        try {
          await subscriptions.outbound(stanza, session, to);
        } catch (err) {
          // Never throw from 'client/stanza' (that would end the stream): answer the stanza instead.
          if (err instanceof StanzaError) ctx.router.bounce(stanza, err);
          else throw err;
        }
        return true;
      }
      if (type === undefined && !to.bare().equals(session.jid.bare())) addDirected(session, to);
      else if (type === 'unavailable' || type === 'error') removeDirected(session, to);
      else if (type !== undefined && type !== 'probe') {
        ctx.router.bounce(stanza, new StanzaError('bad-request', `Unknown presence type ${type.slice(0, 50)} (RFC 6121 §4.7.1)`));
        return true;
      }
      return false; // routed as it is, from the full JID
    };

    const offBroadcast = ctx.hooks.on('presence/broadcast', ({ stanza, session, wasAvailable }) => {
      void inOrder(session, () => presence.broadcast(stanza, session, wasAvailable));
    });
    const offClosed = ctx.hooks.on('session/closed', ({ session }) => {
      void inOrder(session, () => presence.closed(session));
    });

    // The recipient side: everything for an account's bare JID, and what RFC 6121 handles at the
    // bare JID even when sent to a full one (§3.1.3 subscriptions, §4.3 probes).
    const offBare = ctx.hooks.on('presence/bare', async (r) => {
      const type = r.stanza.attrs.type;
      if (isSubscriptionType(type)) await subscriptions.inbound(r);
      else if (type === 'probe') await presence.answerProbe(r);
      else if (type === undefined || type === 'unavailable' || type === 'error') presence.deliverToBare(r);
      return true;
    });
    const offFull = ctx.hooks.on('presence/full', async (r) => {
      const type = r.stanza.attrs.type;
      if (isSubscriptionType(type)) await subscriptions.inbound({ ...r, to: r.to.bare() });
      else if (type === 'probe') await presence.answerProbe(r);
      else {
        presence.observe(r);
        return false; // delivered to that resource by the router (§8.5.3)
      }
      return true;
    });

    return () => {
      for (const off of [offFeatures, offClient, offBroadcast, offClosed, offBare, offFull]) off();
    };
  },
});
