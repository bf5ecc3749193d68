// parley check, DNS part (like `prosodyctl check dns`): per served domain, the XMPP SRV records
// (RFC 6120 §3.2.1, XEP-0368), whether their targets resolve and whether they point at the ports
// Parley listens on. Everything found here is a warning: a test or LAN setup has no records, and
// clients fall back to the domain's A/AAAA and the default ports. Lookups time out quickly; a
// resolver that does not answer is reported as "could not look up", never waited on.
// PARLEY_DNS_SERVERS (comma-separated host[:port]) replaces the system resolvers (tests, split DNS).
import { Resolver } from 'node:dns/promises';
import type { Config } from '../config/schema.ts';

const NO_RECORD = new Set(['ENODATA', 'ENOTFOUND', 'NOTFOUND']);

interface SrvService {
  name: string;
  /** The port Parley listens on for it (0: not served). */
  port: number;
  what: string;
}

function services(config: Config): SrvService[] {
  const s2s = config.s2s.enabled;
  return [
    { name: '_xmpp-client._tcp', port: config.c2s.port, what: 'client connections (STARTTLS)' },
    { name: '_xmpps-client._tcp', port: config.c2s.direct_tls_port, what: 'client connections (Direct TLS, XEP-0368)' },
    { name: '_xmpp-server._tcp', port: s2s ? config.s2s.port : 0, what: 'federation (STARTTLS)' },
    { name: '_xmpps-server._tcp', port: s2s ? config.s2s.direct_tls_port : 0, what: 'federation (Direct TLS, XEP-0368)' },
  ];
}

/** A lookup that settles within timeoutMs whatever the resolver does. */
function bounded<T>(p: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('timed out'), { code: 'ETIMEOUT' })), timeoutMs);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

export interface DnsCheckOptions {
  /** Per lookup. */
  timeoutMs?: number;
  servers?: string[];
}

/** Warnings about DNS for every served domain (empty when everything looks right). */
export async function checkDns(config: Config, opts: DnsCheckOptions = {}): Promise<string[]> {
  const timeoutMs = opts.timeoutMs ?? 2000;
  const resolver = new Resolver({ timeout: Math.max(100, timeoutMs - 200), tries: 1 });
  const servers = opts.servers ?? process.env.PARLEY_DNS_SERVERS?.split(',').map((s) => s.trim()).filter(Boolean);
  if (servers?.length) resolver.setServers(servers);
  const code = (e: unknown) => String((e as { code?: string }).code ?? (e as Error).message);
  const resolves = async (host: string): Promise<boolean | string> => {
    const r = await Promise.allSettled([bounded(resolver.resolve4(host), timeoutMs), bounded(resolver.resolve6(host), timeoutMs)]);
    if (r.some((x) => x.status === 'fulfilled' && x.value.length)) return true;
    const failure = r.find((x) => x.status === 'rejected' && !NO_RECORD.has(code(x.reason)));
    return failure && failure.status === 'rejected' ? code(failure.reason) : false;
  };

  const perDomain = await Promise.all(config.domains.map(async (domain) => {
    const out: string[] = [];
    const found = await Promise.all(services(config).map(async (svc) => {
      const name = `${svc.name}.${domain}`;
      try {
        const records = await bounded(resolver.resolveSrv(name), timeoutMs);
        // RFC 6120 §3.2.1: a single record with target "." says the service is not offered.
        if (records.length === 1 && records[0].name === '') {
          if (svc.port) out.push(`dns: ${name} says the service is not offered (target "."), but Parley serves ${svc.what} on port ${svc.port}`);
          return true;
        }
        if (!svc.port) out.push(`dns: ${name} exists, but Parley does not serve ${svc.what} (port 0 or s2s disabled)`);
        for (const r of records) {
          const ok = await resolves(r.name);
          if (ok === false) out.push(`dns: ${name}: SRV target ${r.name} does not resolve (no A/AAAA record)`);
          else if (ok !== true) out.push(`dns: ${name}: could not look up SRV target ${r.name} (${ok})`);
          if (svc.port && r.port !== svc.port) out.push(`dns: ${name}: SRV target ${r.name} uses port ${r.port}, but Parley listens on ${svc.port}`);
        }
        return true;
      } catch (e) {
        const c = code(e);
        if (NO_RECORD.has(c)) {
          if (svc.port) out.push(`dns: no SRV record ${name} (${svc.what}); peers fall back to ${domain} and the default port`);
        } else out.push(`dns: could not look up ${name} (${c})`);
        return false;
      }
    }));
    // Without any SRV record, the domain itself must resolve for anyone to connect.
    if (!found.some(Boolean)) {
      const ok = await resolves(domain);
      if (ok === false) out.push(`dns: ${domain} has no SRV records and no A/AAAA record: nobody outside can connect`);
      else if (ok !== true) out.push(`dns: could not look up ${domain} (${ok})`);
    }
    return out;
  }));
  return perDomain.flat();
}
