// XEP-0115 Entity Capabilities, server side: reads <c/> from local clients' broadcast presence and
// from remote presence to local accounts, verifies unknown verification strings with disco#info
// (§5.4) and caches verified ones (memory + store, bounded). Offers the 'caps' service and fires
// 'caps/resolved' so PEP can filter notifications by +notify features (XEP-0163 §4.2).
// Config: cache_size, query_timeout, max_pending_queries. Features: none (the server does not
// advertise caps itself). Hooks: presence/broadcast, presence/bare (observe only), session/closed.
import { z } from 'zod';
import { defineModule } from '../types.ts';
import { CapsTracker } from './tracker.ts';

export default defineModule({
  name: 'caps',
  description: 'XEP-0115 entity capabilities of connected clients and remote contacts (for PEP notification filtering)',
  options: z.object({
    cache_size: z.number().int().min(1).default(10_000).describe('Verified verification strings kept in memory and in the database (least recently used go first)'),
    query_timeout: z.number().int().min(1).default(10).describe('Seconds to wait for the disco#info answer behind an unknown verification string'),
    max_pending_queries: z.number().int().min(1).default(1000).describe('Most disco#info lookups in flight at once; caps beyond that are looked up on a later presence'),
  }).strict(),
  start(ctx) {
    const local = new Set(ctx.domains.map((d) => d.toLowerCase()));
    const tracker = new CapsTracker({
      store: ctx.storage.caps,
      sendIq: (iq, timeoutMs) => ctx.router.sendIq(iq, timeoutMs),
      resolved: (jid, features, previous) => void ctx.hooks.fire('caps/resolved', { jid, features, previous }),
      log: ctx.log,
      cacheSize: ctx.options.cache_size,
      queryTimeoutMs: ctx.options.query_timeout * 1000,
      maxPending: ctx.options.max_pending_queries,
    });
    const track = (p: Promise<void>) => p.catch((err: unknown) => ctx.log.warn({ err }, 'caps processing failed'));
    ctx.services.provide('caps', { features: (jid) => tracker.features(jid) });

    const offs = [
      ctx.hooks.on('presence/broadcast', ({ stanza, session }) => {
        void track(tracker.onPresence(session.jid, stanza, session.jid.domain));
      }, 100),
      // Remote contacts' presence reaches a local account's bare JID (RFC 6121 §4.2.2); observe, never consume.
      ctx.hooks.on('presence/bare', ({ stanza, from, to }) => {
        if (from.resource && !local.has(from.domain)) void track(tracker.onPresence(from, stanza, to.domain));
      }, 100),
      ctx.hooks.on('session/closed', ({ session }) => tracker.forget(session.jid)),
    ];
    return () => offs.forEach((off) => off());
  },
});
