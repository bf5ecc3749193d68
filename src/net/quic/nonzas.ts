// The quic-ack and mux stream features and nonzas (docs/quic.md §5–§6). On QUIC streams
// (quicContext): quic-ack <enable/> after bind, <resume/> instead of bind, <a/> acks on lane 0;
// mux <mux lanes/> once quic-ack is on, answered with <mux-on sid lanes/>. On TCP (specs/quic.md
// §6) quic-ack is offered resume-only: a QUIC session may be resumed there and keeps its lane-0
// acks, but a new TCP session cannot enable it (XEP-0198 is the TCP mechanism).
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
import type { Jid } from '../../jid/index.ts';
// The same hand-on rules as XEP-0198 (RFC 6121 §8.5.3.2); a pure helper with no module state.
import { rerouteUnacked } from '../../modules/sm/reroute.ts';

/** session.features key of a session using quic-ack (value: its QuicSessionLink). */
export const QUIC_ACK_FEATURE = 'quic-ack';

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
  const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
  const failed = (why: string, text?: string) => xml('failed', { xmlns: NS_ACK }, xml(why, { xmlns: NS_STANZAS }), text ? xml('text', { xmlns: NS_STANZAS }, text) : null);

  const offs = [
    deps.features.add({
      features: (_stage, stream) => {
        if (quicContext.getStore()) return [xml('ack', { xmlns: NS_ACK }), xml('mux', { xmlns: NS_MUX, lanes: String(deps.config.max_lanes) })];
        // specs/quic.md §6: on TCP only to resume a QUIC session; new TCP sessions use XEP-0198.
        return stream.secure ? [xml('ack', { xmlns: NS_ACK, 'resume-only': 'true' })] : [];
      },
    }),
    deps.features.handleNonzas(NS_ACK, async (sessionAny, el, ctx) => {
      const quic = quicContext.getStore();
      const session = sessionAny instanceof C2SSession ? sessionAny : null;
      if (el.name === 'a') {
        if (session) bySession.get(session)?.ackLane0(Number(el.attrs.h));
        return true;
      }
      if (el.name === 'enable') {
        if (!session) throw new StreamError('not-authorized', 'Bind a resource before enabling quic-ack');
        if (bySession.has(session)) throw new StreamError('policy-violation', 'quic-ack is already enabled');
        // Not fatal: the client goes on with XEP-0198 (or without acks) on the same stream.
        if (!quic) {
          ctx.write(failed('feature-not-implemented', 'quic-ack sessions start on QUIC; on TCP it only resumes one (use XEP-0198 here)'));
          return true;
        }
        // specs/quic.md §3: a session uses XEP-0198 or quic-ack, not both.
        if (session.features.has('sm')) {
          ctx.write(failed('unexpected-request', 'XEP-0198 is already enabled on this session'));
          return true;
        }
        const link = new QuicSessionLink(session, ctx.account!.username, quic.connection, { ...deps, resumeSeconds: deps.config.resume_seconds });
        links.set(link.id, link);
        bySession.set(session, link);
        session.features.set(QUIC_ACK_FEATURE, link);
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
        // Over TCP (no QUIC context) everything is lane 0: resent stanzas are serialised there.
        const held = link.takeOver(quic?.connection ?? null, reported);
        ctx.write(xml('resumed', { xmlns: NS_ACK, previd: link.id }, [...held].map(([n, h]) => xml('lane', { n: String(n), h: String(h) }))));
        const resent = link.resendUnacked();
        deps.log.info({ jid: link.session.jid.toString(), resent, transport: quic ? 'quic' : 'tcp' }, 'quic-ack session resumed');
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
      const unacked = link.takeUnacked();
      link.stop();
      links.delete(link.id);
      handOn(session.jid, unacked);
    }),
  ];
  // As XEP-0198 §4 asks of its sessions: what the client never counted goes to another resource,
  // offline storage or back to its sender, never silently away.
  function handOn(jid: Jid, unacked: ReturnType<QuicSessionLink['takeUnacked']>): void {
    if (unacked.length === 0) return;
    deps.log.info({ jid: jid.toString(), unacked: unacked.length }, 'quic-ack: handing on unacknowledged stanzas');
    void rerouteUnacked({ router: deps.router, hooks: deps.hooks, log: deps.log }, jid, unacked);
  }
  return () => {
    // Shutdown: sessions still waiting for their client end now, their stanzas handed on first
    // (the server closes storage only after the listeners and modules have stopped).
    for (const l of [...links.values()]) {
      if (l.session.connected || l.session.isEnded) continue;
      handOn(l.session.jid, l.takeUnacked());
      l.session.end('server shutdown');
    }
    for (const off of offs) off();
    for (const l of links.values()) l.stop();
  };
}
