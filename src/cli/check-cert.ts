// parley check, certificate part: does the configured (or generated) certificate cover every served
// domain and the service subdomains Parley hosts on it (MUC, upload), and is it about to expire?
import { existsSync, readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import type { Config } from '../config/schema.ts';
import { certPaths } from '../net/certs.ts';

const DAY = 86_400_000;

export interface CertFindings {
  problems: string[];
  warnings: string[];
}

/** Names the certificate must cover: each domain, its MUC service and its upload service (when enabled). */
export function namesToCover(config: Config): string[] {
  const mods = config.modules as Record<string, unknown> & { disabled: string[] };
  const opt = (m: string, k: string, d: string) => {
    const v = (mods[m] as Record<string, unknown> | undefined)?.[k];
    return typeof v === 'string' ? v : d;
  };
  const names: string[] = [];
  for (const d of config.domains) {
    names.push(d);
    if (!mods.disabled.includes('muc')) names.push(opt('muc', 'host', 'conference.{domain}').replaceAll('{domain}', d));
    if (!mods.disabled.includes('upload')) names.push(`${opt('upload', 'component_prefix', 'upload')}.${d}`);
  }
  return [...new Set(names.map((n) => n.toLowerCase()))];
}

export function checkCertificate(config: Config, now = Date.now()): CertFindings {
  const out: CertFindings = { problems: [], warnings: [] };
  const paths = certPaths(config);
  if (!existsSync(paths.cert)) {
    // A missing configured file is reported by the main check; a generated one appears at first start.
    if (paths.generated) out.warnings.push(`tls: no certificate yet; parley start generates a self-signed one for ${config.domains.join(', ')} and their subdomains (clients will not trust it)`);
    return out;
  }
  let x: X509Certificate;
  try {
    x = new X509Certificate(readFileSync(paths.cert));
  } catch (e) {
    out.problems.push(`tls.certificate: ${paths.cert} is not a PEM certificate (${(e as Error).message})`);
    return out;
  }
  const validTo = Date.parse(x.validTo);
  if (validTo < now) out.problems.push(`tls.certificate: ${paths.cert} expired on ${x.validTo}`);
  else if (validTo - now < 30 * DAY) out.warnings.push(`tls.certificate: ${paths.cert} expires in ${Math.ceil((validTo - now) / DAY)} day(s) (${x.validTo})`);
  if (Date.parse(x.validFrom) > now) out.warnings.push(`tls.certificate: ${paths.cert} is not valid before ${x.validFrom}`);
  for (const name of namesToCover(config)) {
    if (!x.checkHost(name)) out.warnings.push(`tls.certificate: ${paths.cert} does not cover ${name} (names: ${x.subjectAltName ?? x.subject})`);
  }
  return out;
}
