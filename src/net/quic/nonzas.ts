// The quic-ack and mux stream features and nonzas (docs/quic.md §5–§6), visible only on QUIC
// streams (quicContext). quic-ack: <enable/> after bind, <resume/> instead of bind, <a/> acks on
// lane 0. mux: <mux lanes/> once quic-ack is on; answers <mux-on sid lanes/>.
import type { Config } from '../../config/schema.ts';
import type { HookBus } from '../../hooks/bus.ts';
import type { HookEvents } from '../../hooks/events.ts';
import type { Logger } from '../../observability/log.ts';
import type { Router } from '../../router/router.ts';
import { C2SSession } from '../../stream/c2s-session.ts';
import type { StreamFeatures } from '../../stream/features.ts';
import { StreamError } from '../../stream/framing.ts';
import type { XmlLimits } from '../../xml/limits.ts';
import { xml } from '../../xml/element.ts';
import { NS_ACK, NS_MUX } from './lane-rule.ts';
import { quicContext } from './quic-context.ts';
import { QuicSessionLink } from './session-link.ts';

export interface NonzaDeps {
  features: StreamFeatures;
  router: Router;
  hooks: HookBus<HookEvents>;
  log: Logger;
  limits: XmlLimits;
  domain: string;
  config: Config['quic'];
}

export function registerQuicNonzas(deps: NonzaDeps): () => void {
  const links = new Map<string, QuicSessionLink>();
  const bySession = new WeakMap<object, QuicSessionLink>();
  const failed = (why: string) => xml('failed', { xmlns: NS_ACK }, xml(why, { xmlns: 'urn:ietf:params:xml:ns:xmpp-stanzas' }));

  const offs = [
    deps.features.add({
      features: () => (quicContext.getStore() ? [xml('ack', { xmlns: NS_ACK }), xml('mux', { xmlns: NS_MUX, lanes: String(deps.config.max_lanes) })] : []),
    }),
    deps.features.handleNonzas(NS_ACK, async (sessionAny, el, ctx) => {
      const quic = quicContext.getStore();
      const session = sessionAny instanceof C2SSession ? sessionAny : null;
      if (el.name === 'a') {
        if (session) bySession.get(session)?.ackLane0(Number(el.attrs.h));
        return true;
      }
      if (!quic) throw new StreamError('unsupported-feature', 'quic-ack is offered on QUIC streams only');
      if (el.name === 'enable') {
        if (!session) throw new StreamError('not-authorized', 'Bind a resource before enabling quic-ack');
        if (bySession.has(session)) throw new StreamError('policy-violation', 'quic-ack is already enabled');
        const link = new QuicSessionLink(session, ctx.account!.username, quic.connection, { ...deps, resumeSeconds: deps.config.resume_seconds });
        links.set(link.id, link);
        bySession.set(session, link);
        ctx.write(xml('enabled', { xmlns: NS_ACK, id: link.id, max: String(deps.config.resume_seconds), resume: 'true' }));
        return true;
      }
      if (el.name === 'resume') {
        if (ctx.bound || !ctx.account) throw new StreamError('policy-violation', 'Resume instead of binding, after authentication');
        const link = links.get(el.attrs.previd ?? '');
        if (!link || link.session.isEnded || link.account !== ctx.account.username || link.session.jid.domain !== ctx.account.domain) {
          ctx.write(failed('item-not-found'));
          return true;
        }
        await link.drained();
        ctx.resume(link.session);
        const reported = new Map<number, number>();
        for (const l of el.getChildren('lane')) reported.set(Number(l.attrs.n), Number(l.attrs.h));
        const held = link.takeOver(quic.connection, reported);
        ctx.write(xml('resumed', { xmlns: NS_ACK, previd: link.id }, [...held].map(([n, h]) => xml('lane', { n: String(n), h: String(h) }))));
        const resent = link.resendUnacked();
        deps.log.info({ jid: link.session.jid.toString(), resent }, 'quic-ack session resumed');
        return true;
      }
      return false;
    }),
    deps.features.handleNonzas(NS_MUX, (sessionAny, el, ctx) => {
      const quic = quicContext.getStore();
      const session = sessionAny instanceof C2SSession ? sessionAny : null;
      if (el.name !== 'mux') return false;
      if (!quic) throw new StreamError('unsupported-feature', 'mux is offered on QUIC streams only');
      const link = session ? bySession.get(session) : undefined;
      if (!link) throw new StreamError('policy-violation', 'Enable quic-ack before mux');
      const requested = Number(el.attrs.lanes ?? deps.config.max_lanes);
      const { sid, lanes } = link.enableMux(Number.isInteger(requested) ? requested : 1, deps.config.max_lanes, quic.connection);
      ctx.write(xml('mux-on', { xmlns: NS_MUX, sid, lanes: String(lanes) }));
      return true;
    }),
    deps.hooks.on('session/closed', ({ session }) => {
      const link = bySession.get(session);
      if (!link) return;
      link.stop();
      links.delete(link.id);
    }),
  ];
  return () => {
    for (const off of offs) off();
    for (const l of links.values()) l.stop();
  };
}
