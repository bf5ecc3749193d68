// XEP-0199 §4.2 server-to-client pings, to find dead connections (a peer gone without closing
// its TCP connection looks idle, not closed): after ping_interval seconds without any traffic
// from the client the server sends a ping; if nothing at all arrives within ping_timeout seconds
// the connection is dropped as lost. Any answer counts, result or error (§4.2: a client that does
// not support pings answers with an error, which still proves it is there). A session with
// XEP-0198 resumption then hibernates instead of ending.
// Config: [modules.server-ping] ping_interval, ping_timeout. Hooks: session/bound, session/resumed, session/closed.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import client from 'prom-client';
import { defineModule } from '../types.ts';
import { xml } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';
import { asClientSession, type ClientSession } from '../../router/session.ts';

export default defineModule({
  name: 'server-ping',
  description: 'XEP-0199 pings from the server to silent clients, closing dead connections',
  options: z.object({
    ping_interval: z.number().min(0).max(86_400).default(300).describe('Seconds without traffic from a client before the server pings it (0 disables server pings)'),
    ping_timeout: z.number().positive().max(3600).default(60).describe('Seconds to wait for any traffic after a ping before the connection is considered dead and closed (a resumable XEP-0198 session hibernates)'),
  }).strict(),
  start(ctx) {
    const intervalMs = ctx.options.ping_interval * 1000;
    const timeoutMs = ctx.options.ping_timeout * 1000;
    if (intervalMs === 0) return;
    const timeouts = new client.Counter({ name: 'parley_server_ping_timeouts_total', help: 'Client connections closed because they did not answer a server ping', registers: [ctx.metrics.registry] });
    /** When the outstanding ping was sent (null: none outstanding), per session. */
    const watched = new Map<ClientSession, { pingSentAt: number | null }>();

    const watch = ({ session }: { session: unknown }) => {
      const cs = asClientSession(session as ClientSession);
      if (cs) watched.set(cs, { pingSentAt: null });
    };
    const offBound = ctx.hooks.on('session/bound', watch);
    const offResumed = ctx.hooks.on('session/resumed', watch);
    const offClosed = ctx.hooks.on('session/closed', ({ session }) => void watched.delete(session as ClientSession));

    const check = () => {
      const now = Date.now();
      for (const [s, st] of watched) {
        if (!s.connected) {
          st.pingSentAt = null; // hibernating: nothing to ping until a connection resumes it
          continue;
        }
        if (st.pingSentAt !== null) {
          if (s.lastInbound >= st.pingSentAt) st.pingSentAt = null; // alive: anything it sent answers
          else if (now - st.pingSentAt >= timeoutMs) {
            st.pingSentAt = null;
            timeouts.inc();
            ctx.log.info({ jid: s.jid.toString(), silent_ms: now - s.lastInbound }, 'no answer to ping: dropping the connection');
            s.dropConnection('ping timeout');
            continue;
          } else continue;
        }
        if (now - s.lastInbound >= intervalMs) {
          st.pingSentAt = now;
          s.send(xml('iq', { type: 'get', from: s.jid.domain, to: s.jid.toString(), id: `ping-${randomBytes(6).toString('base64url')}` }, xml('ping', { xmlns: NS.ping })));
        }
      }
    };
    // Check often enough that neither delay is overshot by more than a quarter (at most every 5 s).
    const tick = setInterval(check, Math.max(100, Math.min(5000, Math.min(intervalMs, timeoutMs) / 4)));
    tick.unref();

    return () => {
      clearInterval(tick);
      offBound();
      offResumed();
      offClosed();
    };
  },
});
