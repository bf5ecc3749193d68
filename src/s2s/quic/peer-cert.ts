// What the peer's certificate proves on a QUIC connection, in the shape the TCP path uses
// (PeerCertInfo), so SASL EXTERNAL, dialback shortcuts and require_valid_certs decide the same
// way on both. quiche hands us the chain as DER (leaf first); the library's own verification is
// switched off (verifyCallback accepts all) so that a self-signed peer can still use dialback.
import { X509Certificate } from 'node:crypto';
import type { QUICConnection } from '@matrixai/quic';
import type { PeerCertInfo } from '../../net/tcp-transport.ts';
import { chainTrustedX509 } from '../certs.ts';

const cache = new WeakMap<QUICConnection, PeerCertInfo>();

export function quicPeerCert(conn: QUICConnection, caPems: string[]): PeerCertInfo {
  const have = cache.get(conn);
  if (have) return have;
  const ders = conn.getRemoteCertsChain();
  let info: PeerCertInfo;
  if (ders.length === 0) info = { authorized: false, authError: 'no certificate', cert: null };
  else {
    try {
      const chain = ders.map((d) => new X509Certificate(Buffer.from(d)));
      const ok = chainTrustedX509(chain, caPems);
      // toLegacyObject(): the PeerCertificate shape tls.checkServerIdentity reads (SAN, CN).
      info = { authorized: ok, authError: ok ? undefined : 'chain not trusted', cert: chain[0].toLegacyObject() };
    } catch (e) {
      info = { authorized: false, authError: `unparsable certificate: ${(e as Error).message}`, cert: null };
    }
  }
  cache.set(conn, info);
  return info;
}

/** Both ends ask for and accept any certificate during the handshake; quicPeerCert judges it. */
export const acceptAnyCert = async (): Promise<undefined> => undefined;
