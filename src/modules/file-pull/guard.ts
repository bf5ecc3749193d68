// SSRF guard for server-side fetches: resolve the name ourselves, refuse when ANY answer is not a
// public address (a name with one private answer is how rebinding attacks start), and hand back
// the one checked address to connect to, so a second lookup cannot swap it (DNS rebinding).
// Loopback/private targets pass only when listed in the allowlist (tests: "127.0.0.1:port").
import { canonicalAddress, classifyAddress } from '../../net/address-class.ts';

export type Lookup = (host: string) => Promise<Array<{ address: string; family: number }>>;

export interface Allowlist {
  allows(address: string, port: number): boolean;
}

/** Entries "ip", "ip:port", "[v6]" or "[v6]:port". */
export function parseAllowlist(entries: string[]): Allowlist {
  const rules: Array<{ addr: string; port?: number }> = [];
  for (const e of entries) {
    const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(e) ?? /^([^:]+)(?::(\d+))?$/.exec(e) ?? /^([0-9a-fA-F:]+)()$/.exec(e);
    const addr = m ? canonicalAddress(m[1]) : null;
    if (!m || !addr) throw new Error(`file-pull allowlist entry "${e}" is not an address[:port]`);
    rules.push({ addr, port: m[2] ? Number(m[2]) : undefined });
  }
  return {
    allows(address, port) {
      const a = canonicalAddress(address);
      return a !== null && rules.some((r) => r.addr === a && (r.port === undefined || r.port === port));
    },
  };
}

export type Pinned = { ok: true; address: string; family: 4 | 6 } | { ok: false; reason: string };

/** The address to connect to for host:port, or why none may be used. Never opens a socket. */
export async function pinAddress(host: string, port: number, lookup: Lookup, allow: Allowlist): Promise<Pinned> {
  const literal = host.startsWith('[') ? host.slice(1, -1) : host;
  let answers: Array<{ address: string; family: number }>;
  if (canonicalAddress(literal) !== null) answers = [{ address: literal, family: literal.includes(':') ? 6 : 4 }];
  else {
    try {
      answers = await lookup(host);
    } catch (e) {
      return { ok: false, reason: `${host} does not resolve (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
    }
  }
  if (answers.length === 0) return { ok: false, reason: `${host} has no address` };
  for (const a of answers) {
    const c = classifyAddress(a.address);
    if (c.class !== 'public' && !allow.allows(a.address, port)) {
      const how = c.embedded ? ` (${c.embedded.form} ${c.embedded.ipv4})` : '';
      return { ok: false, reason: `${host} resolves to a ${c.class} address ${a.address}${how}, which file pull does not contact` };
    }
  }
  return { ok: true, address: answers[0].address, family: answers[0].family === 6 ? 6 : 4 };
}
