// What the admin socket can do: the operations `parley ctl` offers. Each command is a small
// function of the running server's parts; the listener (server.ts) only frames requests.
import { tryParseJid } from '../jid/index.ts';
import { asClientSession } from '../router/session.ts';
import { PARLEY_VERSION } from '../core/version.ts';
import type { ServiceRegistry } from '../core/services.ts';
import type { Router } from '../router/router.ts';
import type { Metrics } from '../observability/metrics.ts';

export interface AdminTarget {
  router: Router;
  services: ServiceRegistry;
  metrics: Metrics;
  startedAt: number;
  domains: readonly string[];
  /** Re-read the configuration file (as SIGHUP does); resolves with what was reloaded. */
  reload(): Promise<string>;
  /** Stop the server (as SIGTERM does), after the answer went out. */
  stop(): void;
}

export class CommandError extends Error {}

type Command = (t: AdminTarget, args: string[]) => unknown | Promise<unknown>;

async function counter(t: AdminTarget, name: 'stanzasIn' | 'stanzasOut'): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const v of (await t.metrics[name].get()).values) out[String(v.labels.kind)] = v.value;
  return out;
}

export const COMMANDS: Record<string, { help: string; run: Command }> = {
  status: {
    help: 'pid, version, uptime, sessions, memory',
    run: (t) => ({ pid: process.pid, version: PARLEY_VERSION, uptime_seconds: Math.round((Date.now() - t.startedAt) / 1000), domains: t.domains, sessions: t.router.sessions.size, rss_bytes: process.memoryUsage().rss }),
  },
  sessions: {
    help: 'list client sessions (full JID, address, connected)',
    run: (t) => [...t.router.sessions.all()].map((s) => ({ jid: s.jid.toString(), address: asClientSession(s)?.remoteAddress ?? null, connected: s.connected, available: s.presence !== null })),
  },
  kick: {
    help: 'kick JID [reason]: close the sessions of an account, or the one session of a full JID',
    run: (t, [target, ...reason]) => {
      const jid = target ? tryParseJid(target) : null;
      if (!jid || !jid.local) throw new CommandError('usage: kick user@domain[/resource] [reason]');
      const one = jid.resource ? t.router.sessions.get(jid) : undefined;
      const sessions = jid.resource ? (one ? [one] : []) : t.router.sessions.resources(jid.bare());
      for (const s of sessions) s.close('policy-violation', reason.join(' ') || 'Disconnected by an administrator');
      return { kicked: sessions.length };
    },
  },
  reload: {
    help: 'reload the certificate, log level and module options like SIGHUP (docs/admin.md: what needs a restart)',
    run: async (t) => ({ reloaded: await t.reload() }),
  },
  stats: {
    help: 'counters: sessions, s2s streams, rooms, stanzas in/out by kind, memory',
    run: async (t) => {
      const fed = t.services.get('ops')?.federation();
      return {
        uptime_seconds: Math.round((Date.now() - t.startedAt) / 1000),
        sessions: t.router.sessions.size,
        s2s_outgoing: fed?.outgoing.filter((o) => o.state === 'ready').length ?? 0,
        s2s_incoming: fed?.incoming.length ?? 0,
        rooms: t.services.get('mucAdmin')?.rooms().length ?? null,
        stanzas_in: await counter(t, 'stanzasIn'),
        stanzas_out: await counter(t, 'stanzasOut'),
        rss_bytes: process.memoryUsage().rss,
        heap_used_bytes: process.memoryUsage().heapUsed,
      };
    },
  },
  rooms: {
    help: 'list MUC rooms with their occupant counts',
    run: (t) => {
      const muc = t.services.get('mucAdmin');
      if (!muc) throw new CommandError('the muc module is disabled');
      return muc.rooms();
    },
  },
  stop: {
    help: 'stop the server (closes every stream with system-shutdown)',
    run: (t) => {
      setImmediate(() => t.stop());
      return { stopping: true, pid: process.pid };
    },
  },
};
