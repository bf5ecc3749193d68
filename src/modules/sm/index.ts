// XEP-0198 Stream Management (urn:xmpp:sm:3, v1.6): stanza acknowledgements and resumption.
// Config: [modules.sm] resume, resume_timeout, max_queue, ack_request_every, ack_request_interval.
// Stream feature: <sm xmlns='urn:xmpp:sm:3'/> after authentication. Nonzas: enable, resume, r, a.
// Hooks: session/closed (unacknowledged stanzas go to another resource, offline storage, or back
// to their senders: reroute.ts). Sessions hibernate through the session keeper (router/session.ts).
// Cluster mode: offers smSessions (hand a hibernating session to another node) and uses smHandover
// (resume a session another node holds: handover.ts, docs/clustering.md).
import { z } from 'zod';
import client from 'prom-client';
import { defineModule } from '../types.ts';
import { xml, type Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';
import type { ClientSession } from '../../router/session.ts';
import type { NonzaContext } from '../../stream/features.ts';
import { StreamError } from '../../stream/framing.ts';
import { asClientSession } from '../../router/session.ts';
import { jid as makeJid, tryParseJid } from '../../jid/index.ts';
import { parseH } from './ack-queue.ts';
import { ManagedSession, handledCountTooHigh } from './managed-session.ts';
import { ResumableSessions, newSmId } from './resumable.ts';
import { rerouteUnacked } from './reroute.ts';
import { handOverState, restoreQueue, unackedOf } from './handover.ts';
import { parseElement } from '../../xml/parse-element.ts';
import type { SmHandoverState } from '../../core/services.ts';

const FEATURE = 'sm';

export default defineModule({
  name: 'sm',
  description: 'XEP-0198 stream management: acks and session resumption',
  options: z.object({
    resume: z.boolean().default(true).describe('Offer stream resumption (XEP-0198 §5)'),
    resume_timeout: z.number().positive().max(86_400).default(300).describe('Seconds a session whose connection was lost is kept (hibernating) for resumption; a client asking for less (max) gets less'),
    max_queue: z.number().int().min(1).max(100_000).default(1000).describe('Most unacknowledged stanzas kept per session; beyond it a connected client gets the resource-constraint stream error and a hibernating session ends (its stanzas go to offline storage or back to their senders)'),
    ack_request_every: z.number().int().min(1).default(5).describe('Request an ack from the client after this many stanzas sent without one (XEP-0198 §4)'),
    ack_request_interval: z.number().min(0).default(30).describe('Seconds stanzas may wait unacknowledged before the server asks for an ack (0 disables)'),
  }).strict(),
  start(ctx) {
    const o = ctx.options;
    const settings = { maxQueue: o.max_queue, ackRequestEvery: o.ack_request_every, ackRequestIntervalMs: o.ack_request_interval * 1000 };
    const resumable = new ResumableSessions(o.resume_timeout * 1000);
    const registers = [ctx.metrics.registry];
    const hibernating = new client.Gauge({ name: 'parley_sm_hibernating_sessions', help: 'Sessions kept for XEP-0198 resumption without a connection', registers });
    const resumptions = new client.Counter({ name: 'parley_sm_resumptions_total', help: 'XEP-0198 resumptions by outcome', labelNames: ['outcome'] as const, registers });
    const expiries = new client.Counter({ name: 'parley_sm_hibernation_ends_total', help: 'Hibernating sessions that ended without being resumed', registers });
    const pendingReroutes = new Set<Promise<void>>();
    const stateOf = (s: ClientSession | null) => (s?.features.get(FEATURE) as ManagedSession | undefined) ?? null;
    const failed = (nctx: NonzaContext, condition: string, h?: number) =>
      nctx.write(xml('failed', { xmlns: NS.sm, h: h === undefined ? undefined : String(h) }, xml(condition, { xmlns: NS.stanzas })));

    const offFeature = ctx.streamFeatures.add({ features: () => [xml('sm', { xmlns: NS.sm })] });

    // §3: <enable/> once, after resource binding.
    const enable = (session: ClientSession | null, el: Element, nctx: NonzaContext): void => {
      // docs/quic.md §3: a session uses XEP-0198 or quic-ack (which sets 'quic-ack'), not both.
      if (!session || stateOf(session) || session.features.has('quic-ack')) return failed(nctx, 'unexpected-request');
      const wantsResume = el.attrs.resume === 'true' || el.attrs.resume === '1';
      const clientMax = parseH(el.attrs.max);
      const timeoutS = clientMax ? Math.min(clientMax, o.resume_timeout) : o.resume_timeout;
      const id = o.resume && wantsResume ? newSmId() : null;
      const ms = new ManagedSession(session, id, timeoutS * 1000, settings, () => hibernating.inc());
      session.features.set(FEATURE, ms);
      ms.start();
      resumable.add(ms);
      // §3: resume and id only when resumption was asked for and is allowed (v1.6.2).
      nctx.write(xml('enabled', { xmlns: NS.sm, id: id ?? undefined, resume: id ? 'true' : undefined, max: id ? String(Math.ceil(timeoutS)) : undefined }));
    };

    // §5: <resume/> on a new authenticated stream, instead of binding.
    const resume = async (session: ClientSession | null, el: Element, nctx: NonzaContext): Promise<void> => {
      if (session || !nctx.account) return failed(nctx, 'unexpected-request');
      const h = parseH(el.attrs.h);
      const previd = el.attrs.previd;
      if (h === null || !previd) return failed(nctx, 'bad-request');
      const bare = accountJid(nctx.account.username, nctx.account.domain);
      const ms = resumable.get(previd);
      // Cluster mode: the session may hibernate on another node (docs/clustering.md).
      const handover = ms ? undefined : ctx.services.get('smHandover');
      if (handover) {
        const st = await handover.claim(previd, bare);
        if (st) return resumeHandedOver(st, h, previd, nctx);
      }
      // Someone else's SM-ID is as unknown as a made-up one: nothing tells them it exists.
      if (!ms || ms.session.jid.bare().toString() !== bare) {
        resumptions.inc({ outcome: 'not-found' });
        return failed(nctx, 'item-not-found', resumable.endedH(previd, bare));
      }
      // <resumed h/> acknowledges like <a/>: what it counts must be on disk first (see 'r' below).
      // The wait may let the session end or be resumed elsewhere; then it is unknown here.
      await ctx.storage.durable?.();
      if (resumable.get(previd) !== ms) {
        resumptions.inc({ outcome: 'not-found' });
        return failed(nctx, 'item-not-found', resumable.endedH(previd, bare));
      }
      const wasHibernating = ms.hibernating;
      const outcome = ms.queue.ack(h);
      if (!outcome.ok) throw handledCountTooHigh(outcome.h, outcome.sent);
      // Synchronous from here to the resent queue: nothing can be routed to the session in between.
      nctx.resume(ms.session);
      if (wasHibernating) hibernating.dec();
      nctx.write(xml('resumed', { xmlns: NS.sm, previd, h: String(ms.queue.inbound) }));
      ms.resumed();
      resumptions.inc({ outcome: 'resumed' });
    };

    // §5 with a session another node handed over: bind it here under the same full JID, with its
    // counters, queue and presence, then answer and resend as for a local resumption.
    const resumeHandedOver = (st: SmHandoverState, h: number, previd: string, nctx: NonzaContext): void => {
      const items = unackedOf(st);
      const full = st.jid;
      const resource = full.slice(full.indexOf('/') + 1);
      let cs: ClientSession;
      try {
        cs = nctx.bindResumed(resource);
      } catch (e) {
        // The stream closed while the other node answered: the stanzas go where an ended session's go.
        const owner = tryParseJid(full);
        if (owner) trackReroute(rerouteUnacked(ctx, owner, items));
        throw e;
      }
      const ms = new ManagedSession(cs, previd, st.resumeTimeoutMs, settings, () => hibernating.inc());
      restoreQueue(ms.queue, st, items);
      cs.presence = st.presence === null ? null : parseElement(st.presence);
      cs.priority = st.priority;
      cs.interested = st.interested;
      for (const f of st.flags) cs.features.set(f, true);
      cs.features.set(FEATURE, ms);
      ms.start();
      resumable.add(ms);
      const outcome = ms.queue.ack(h);
      // Too high an h ends the stream; the session then ends and its queue is handed on (session/closed).
      if (!outcome.ok) throw handledCountTooHigh(outcome.h, outcome.sent);
      nctx.write(xml('resumed', { xmlns: NS.sm, previd, h: String(ms.queue.inbound) }));
      ms.resumed();
      resumptions.inc({ outcome: 'resumed-from-node' });
    };
    const trackReroute = (p: Promise<void>) => {
      const q = p.finally(() => pendingReroutes.delete(q));
      pendingReroutes.add(q);
    };

    // Cluster mode: another node's client resumes a session hibernating here (cluster module).
    ctx.services.provide('smSessions', {
      handOver(previd, bare) {
        const ms = resumable.get(previd);
        if (!ms || ms.session.jid.bare().toString() !== bare) return null;
        const st = handOverState(ms);
        if (ms.hibernating) hibernating.dec();
        ms.stop();
        resumable.remove(ms);
        ms.queue.drain();
        // Ends without rerouting (the queue is empty now) and without unavailable presence: the session goes on elsewhere.
        ms.session.features.delete(FEATURE);
        ms.session.presence = null;
        if (ms.session.connected) ms.session.close('conflict', 'The session was resumed on another node');
        else ms.session.end('stream management session handed over to another node');
        resumptions.inc({ outcome: 'handed-over' });
        return st;
      },
    });

    const offNonzas = ctx.streamFeatures.handleNonzas(NS.sm, async (session, el, nctx) => {
      const ms = stateOf(session);
      switch (el.name) {
        case 'enable':
          enable(session, el, nctx);
          return true;
        case 'resume':
          await resume(session, el, nctx);
          return true;
        case 'r':
          // §4: answer at once with the count of stanzas handled; stanzas before it are handled by now (RFC 6120 §10.1).
          if (!ms) failed(nctx, 'unexpected-request');
          else {
            // The count covers stanzas whose writes are committed; answer once they are on disk
            // (durable before acknowledged: an archived 1:1 message does not wait for the disk).
            const a = ms.ackElement();
            const durable = ctx.storage.durable?.();
            if (!durable) nctx.write(a);
            else durable.then(() => nctx.write(a), (err: unknown) => ctx.log.error({ err }, 'storage sync failed; <a/> withheld'));
          }
          return true;
        case 'a': {
          if (!ms) return true; // an ack before enabling acknowledges nothing
          const h = parseH(el.attrs.h);
          if (h === null) throw new StreamError('undefined-condition', "<a/> needs an 'h' attribute holding an unsignedInt (XEP-0198 §4)");
          ms.onAck(h);
          return true;
        }
        default:
          return false;
      }
    });

    const offClosed = ctx.hooks.on('session/closed', ({ session }) => {
      const cs = asClientSession(session);
      const ms = stateOf(cs);
      if (!cs || !ms) return;
      if (ms.hibernating) {
        hibernating.dec();
        expiries.inc();
      }
      ms.stop();
      resumable.remove(ms);
      const items = ms.queue.drain();
      if (items.length === 0) return;
      ctx.log.info({ jid: cs.jid.toString(), unacked: items.length }, 'handing on unacknowledged stanzas');
      const p = rerouteUnacked(ctx, cs.jid, items).finally(() => pendingReroutes.delete(p));
      pendingReroutes.add(p);
    });

    return async () => {
      offFeature();
      offNonzas();
      // Shutdown: hibernating sessions end now, so their queues reach offline storage before it closes.
      for (const ms of resumable.all()) if (!ms.session.connected) ms.session.end('server shutdown');
      await Promise.all([...pendingReroutes]);
      offClosed();
    };
  },
});

/** The bare JID of an authenticated account, normalized the way bound JIDs are. */
function accountJid(username: string, domain: string): string {
  try {
    return makeJid(username, domain).toString();
  } catch {
    return `${username}@${domain}`;
  }
}
