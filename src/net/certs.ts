// TLS certificates: the configured PEM files, or a self-signed one generated on first start
// (data_dir/certs/parley.crt + .key, covering every configured domain and its subdomains).
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
// selfsigned (and its ASN.1 stack) loads only when a certificate is generated: ~10 MiB of idle RSS otherwise.
import type { Config } from '../config/schema.ts';
import { resolveDataPath } from '../config/loader.ts';

export interface CertPaths {
  cert: string;
  key: string;
  generated: boolean;
}

export function certPaths(config: Config): CertPaths {
  if (config.tls.certificate && config.tls.key) {
    return { cert: resolveDataPath(config, config.tls.certificate), key: resolveDataPath(config, config.tls.key), generated: false };
  }
  const dir = join(config.data_dir, 'certs');
  return { cert: join(dir, 'parley.crt'), key: join(dir, 'parley.key'), generated: true };
}

/** Generate a self-signed certificate for the configured domains (overwrites when force). */
export async function generateSelfSigned(config: Config, force = false): Promise<CertPaths> {
  const paths = certPaths(config);
  if (!paths.generated) throw new Error('tls.certificate/tls.key are configured: Parley does not overwrite them');
  if (existsSync(paths.cert) && existsSync(paths.key) && !force) return paths;
  const names = config.domains.flatMap((d) => [d, `*.${d}`]);
  const notAfter = new Date(Date.now() + 365 * 24 * 3600 * 1000);
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: config.domains[0] }, { name: 'organizationName', value: 'Parley self-signed' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
      { name: 'subjectAltName', altNames: names.map((value) => ({ type: 2 as const, value })) },
    ],
  });
  mkdirSync(join(config.data_dir, 'certs'), { recursive: true });
  writeFileSync(paths.key, pems.private, { mode: 0o600 });
  chmodSync(paths.key, 0o600);
  writeFileSync(paths.cert, pems.cert);
  return paths;
}

export interface LoadedTls {
  secureContext: SecureContext;
  /** For s2s: our certificate plus the CAs we trust for peers (system store + s2s.ca_file). */
  s2sContext: SecureContext;
  /** PEM trust anchors for s2s peers. */
  s2sCa: string[];
  certPem: string;
  paths: CertPaths;
  fingerprint256: string;
  validTo: string;
  names: string;
}

export async function loadTls(config: Config): Promise<LoadedTls> {
  const paths = certPaths(config);
  if (paths.generated) await generateSelfSigned(config);
  const certPem = readFileSync(paths.cert, 'utf8');
  const keyPem = readFileSync(paths.key, 'utf8');
  const x = new X509Certificate(certPem);
  // TLS 1.2 suites limited to forward-secret AEAD ones (docs/security.md); TLS 1.3 suites are all AEAD.
  const secureContext = createSecureContext({ cert: certPem, key: keyPem, minVersion: config.tls.min_version, ciphers: config.tls.ciphers });
  const ca = [...rootCertificates, ...(config.s2s.ca_file ? [readFileSync(resolveDataPath(config, config.s2s.ca_file), 'utf8')] : [])];
  const s2sContext = createSecureContext({ cert: certPem, key: keyPem, ca, minVersion: config.tls.min_version, ciphers: config.tls.ciphers });
  return { secureContext, s2sContext, s2sCa: ca, certPem, paths, fingerprint256: x.fingerprint256, validTo: x.validTo, names: x.subjectAltName ?? x.subject };
}
