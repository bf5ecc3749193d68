// Where to connect for a remote domain (RFC 6120 §3.2, XEP-0368): a static route from the
// config, else DNS SRV `_xmpps-server._tcp` (Direct TLS) and `_xmpp-server._tcp` (STARTTLS)
// ordered by priority/weight, else the domain itself on 5269.
import { promises as dns } from 'node:dns';
import { domainToAscii } from '../jid/index.ts';

export interface Target {
  host: string;
  port: number;
  directTls: boolean;
}

/** Parse "host:port" / "[v6]:port" from s2s.routes. */
export function parseRoute(route: string): Target | null {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(route) ?? /^([^:]+):(\d+)$/.exec(route);
  if (!m) return null;
  const port = Number(m[2]);
  if (!(port > 0 && port < 65536)) return null;
  return { host: m[1], port, directTls: false };
}

/** RFC 2782 order: lowest priority first, weighted random among equals. */
export function orderSrv(records: { name: string; port: number; priority: number; weight: number }[]): { name: string; port: number }[] {
  const byPrio = new Map<number, typeof records>();
  for (const r of records) byPrio.set(r.priority, [...(byPrio.get(r.priority) ?? []), r]);
  const out: { name: string; port: number }[] = [];
  for (const prio of [...byPrio.keys()].sort((a, b) => a - b)) {
    const pool = [...byPrio.get(prio)!];
    while (pool.length) {
      const total = pool.reduce((s, r) => s + r.weight, 0);
      let pick = Math.random() * total;
      let i = 0;
      for (; i < pool.length - 1; i++) if ((pick -= pool[i].weight) < 0) break;
      out.push({ name: pool[i].name, port: pool[i].port });
      pool.splice(i, 1);
    }
  }
  return out;
}

/** RFC 6761 §6.4: names under .invalid never resolve, so no query is sent for them. */
export function neverResolves(domain: string): boolean {
  return domain === 'invalid' || domain.endsWith('.invalid');
}

let resolver: dns.Resolver | null = null;
let resolverKey = '';

function resolverFor(servers: string[]): dns.Resolver | typeof dns {
  if (servers.length === 0) return dns;
  const key = servers.join(',');
  if (!resolver || key !== resolverKey) {
    resolver = new dns.Resolver({ timeout: 3000, tries: 2 });
    resolver.setServers(servers);
    resolverKey = key;
  }
  return resolver;
}

export async function resolveTargets(domain: string, routes: Record<string, string>, dnsServers: string[] = []): Promise<Target[]> {
  const route = routes[domain];
  if (route) {
    const t = parseRoute(route);
    return t ? [t] : [];
  }
  if (neverResolves(domain)) return [];
  const r = resolverFor(dnsServers);
  const ascii = domainToAscii(domain);
  const srv = async (service: string, directTls: boolean): Promise<Target[]> => {
    try {
      const recs = await r.resolveSrv(`${service}._tcp.${ascii}`);
      // RFC 2782: a single "." target means the service is decidedly not available.
      if (recs.length === 1 && recs[0].name === '.') return [];
      return orderSrv(recs).map((r) => ({ host: r.name, port: r.port, directTls }));
    } catch {
      return [];
    }
  };
  const [tls, plain] = await Promise.all([srv('_xmpps-server', true), srv('_xmpp-server', false)]);
  const all = [...tls, ...plain];
  if (all.length) return all;
  // No SRV: the domain itself on the default port (RFC 6120 §3.2.2), resolved here so a custom
  // resolver applies to the address lookup too.
  const addrs = await Promise.all([r.resolve4(ascii).catch(() => [] as string[]), r.resolve6(ascii).catch(() => [] as string[])]);
  const hosts = addrs.flat();
  if (dnsServers.length === 0 && hosts.length === 0) return [{ host: ascii, port: 5269, directTls: false }];
  return hosts.map((host) => ({ host, port: 5269, directTls: false }));
}
