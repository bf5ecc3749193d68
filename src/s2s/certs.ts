// RFC 6125 identity checks of a peer certificate against an XMPP domain (DNS-ID, with wildcard
// rules as Node implements them; CN only when no SAN is present).
import { X509Certificate } from 'node:crypto';
import { checkServerIdentity, type DetailedPeerCertificate, type PeerCertificate } from 'node:tls';
import { domainToAscii } from '../jid/index.ts';

export function certMatchesDomain(cert: PeerCertificate, domain: string): boolean {
  try {
    return checkServerIdentity(domainToAscii(domain), cert) === undefined;
  } catch {
    return false;
  }
}

let trustCache: { key: string; cas: X509Certificate[] } | null = null;

function trustAnchors(caPems: string[]): X509Certificate[] {
  const key = caPems.length + ':' + (caPems[caPems.length - 1] ?? '').slice(-64);
  if (trustCache?.key === key) return trustCache.cas;
  const cas: X509Certificate[] = [];
  for (const pem of caPems) {
    for (const block of pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []) {
      try {
        cas.push(new X509Certificate(block));
      } catch {
        /* skip unparsable entries */
      }
    }
  }
  trustCache = { key, cas };
  return cas;
}

function currentlyValid(x: X509Certificate, now = Date.now()): boolean {
  return Date.parse(x.validFrom) <= now && now <= Date.parse(x.validTo);
}

/**
 * Whether a peer's certificate chain leads to a trusted CA. Node sets `authorized` only on
 * sockets made by tls.Server, not on a server-side TLSSocket created for STARTTLS, so the
 * chain is checked here: signature, issuer and validity period of each link.
 */
export function chainTrusted(peer: DetailedPeerCertificate, caPems: string[]): boolean {
  const chain: X509Certificate[] = [];
  const seen = new Set<string>();
  for (let c: DetailedPeerCertificate | undefined = peer; c && c.raw && !seen.has(c.fingerprint256); c = c.issuerCertificate) {
    seen.add(c.fingerprint256);
    try {
      chain.push(new X509Certificate(c.raw));
    } catch {
      return false;
    }
  }
  return chainTrustedX509(chain, caPems);
}

/** The same check for a chain given leaf first, as QUIC reports it (DER certificates). */
export function chainTrustedX509(chain: X509Certificate[], caPems: string[]): boolean {
  const cas = trustAnchors(caPems);
  if (chain.length === 0) return false;
  let current = chain[0];
  for (let depth = 0; depth < 8; depth++) {
    if (!currentlyValid(current)) return false;
    const anchor = cas.find((ca) => current.checkIssued(ca) && current.verify(ca.publicKey));
    if (anchor) return currentlyValid(anchor);
    const next = chain.find((x) => x !== current && current.checkIssued(x) && current.verify(x.publicKey) && x.ca);
    if (!next) return false;
    current = next;
  }
  return false;
}
