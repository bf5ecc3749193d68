// XEP-0352 Client State Indication (urn:xmpp:csi:0): while a client says it is <inactive/>, hold
// back what can wait (presence updates, squashed to the latest per sender; chat states; PEP
// events...) and deliver what cannot (messages with a body, calls, errors, iq) at once, after
// flushing what is held so order is kept. <active/> delivers everything held.
// Config: [modules.csi] max_held. Stream feature: <csi xmlns='urn:xmpp:csi:0'/> after authentication.
// Nonzas: active, inactive. Hooks: session/hibernated (flush into the XEP-0198 queue: a resumed
// stream starts active, XEP-0352 §6), session/closed (forget).
import { z } from 'zod';
import client from 'prom-client';
import { defineModule } from '../types.ts';
import { xml, type Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';
import { asClientSession, type ClientSession } from '../../router/session.ts';
import { HeldStanzas } from './held.ts';
import { importance } from './importance.ts';

const FEATURE = 'csi';
/** Before stream management's counting stage (priority 0): held stanzas are not on the wire yet. */
const CSI_STAGE_PRIORITY = 100;

interface Inactive {
  held: HeldStanzas;
  removeStage: () => void;
}

export default defineModule({
  name: 'csi',
  description: 'XEP-0352 client state indication: hold unimportant stanzas while the client is inactive',
  options: z.object({
    max_held: z.number().int().min(1).max(100_000).default(500).describe('Most stanzas held for an inactive client; when more arrive, everything held is delivered'),
  }).strict(),
  start(ctx) {
    const maxHeld = ctx.options.max_held;
    const registers = [ctx.metrics.registry];
    const squashed = new client.Counter({ name: 'parley_csi_squashed_total', help: 'Stanzas held for an inactive client and replaced by a newer one before delivery', registers });
    const flushes = new client.Counter({ name: 'parley_csi_flushes_total', help: 'Deliveries of what was held for an inactive client, by cause', labelNames: ['cause'] as const, registers });
    const stateOf = (s: ClientSession) => s.features.get(FEATURE) as Inactive | undefined;

    const flush = (state: Inactive, cause: 'urgent' | 'full' | 'active' | 'hibernated') => {
      const all = state.held.drain();
      if (all.length === 0) return;
      flushes.inc({ cause });
      for (const h of all) h.next(h.stanza);
    };

    const goInactive = (session: ClientSession) => {
      if (stateOf(session)) return;
      const state: Inactive = { held: new HeldStanzas(), removeStage: () => {} };
      state.removeStage = session.addOutboundStage((stanza: Element, next) => {
        const verdict = importance(stanza);
        switch (verdict.kind) {
          case 'bypass':
            return next(stanza);
          case 'urgent':
            flush(state, 'urgent');
            return next(stanza);
          case 'squash':
            if (state.held.hold({ stanza, next }, verdict.key)) squashed.inc();
            break;
          case 'defer':
            state.held.hold({ stanza, next });
            break;
        }
        if (state.held.size > maxHeld) flush(state, 'full');
      }, CSI_STAGE_PRIORITY);
      session.features.set(FEATURE, state);
    };

    const goActive = (session: ClientSession, cause: 'active' | 'hibernated') => {
      const state = stateOf(session);
      if (!state) return;
      session.features.delete(FEATURE);
      state.removeStage();
      flush(state, cause);
    };

    const offFeature = ctx.streamFeatures.add({ features: () => [xml('csi', { xmlns: NS.csi })] });
    // XEP-0352 §5: the state change, and the flush, happen before the next element from the client is processed.
    const offNonzas = ctx.streamFeatures.handleNonzas(NS.csi, (session, el) => {
      if (el.name !== 'active' && el.name !== 'inactive') return false;
      if (!session) return true; // no session yet to mark; XEP-0352 defines no error reply
      if (el.name === 'inactive') goInactive(session);
      else goActive(session, 'active');
      return true;
    });
    const offHibernated = ctx.hooks.on('session/hibernated', ({ session }) => {
      const cs = asClientSession(session);
      if (cs) goActive(cs, 'hibernated');
    });
    const offClosed = ctx.hooks.on('session/closed', ({ session }) => {
      const cs = asClientSession(session);
      const state = cs && stateOf(cs);
      if (!cs || !state) return;
      cs.features.delete(FEATURE);
      state.removeStage();
      state.held.drain(); // presence and chat states for a client that is gone
    }, 10);

    return () => {
      offFeature();
      offNonzas();
      offHibernated();
      offClosed();
    };
  },
});
