// Channel-binding data from a TLS socket (RFC 5929, RFC 9266), shared by every TLS transport.
import { createHash } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { ChannelBindingType } from '../sasl/index.ts';

// tls-server-end-point data per socket. getCertificate() builds a full JS object (fingerprints,
// public key) at each call, a visible share of a login's CPU; X509Certificate is lazy, and the
// hash is computed once per connection.
const endPoint = new WeakMap<TLSSocket, Buffer | null>();

function serverEndPoint(s: TLSSocket): Buffer | null {
  let v = endPoint.get(s);
  if (v === undefined) {
    const cert = s.getX509Certificate();
    // RFC 5929 §4.1: the certificate's signature hash, MD5/SHA-1 upgraded to SHA-256. Node does not
    // expose the signature algorithm; generated certificates and common CAs sign with SHA-256.
    v = cert ? createHash('sha256').update(cert.raw).digest() : null;
    endPoint.set(s, v);
  }
  return v;
}

export function channelBindingTypes(s: TLSSocket): ChannelBindingType[] {
  const out: ChannelBindingType[] = [];
  const v13 = s.getProtocol() === 'TLSv1.3';
  // RFC 9266: tls-exporter is defined for TLS 1.3; tls-unique only for TLS <= 1.2 (RFC 9266 §3).
  if (v13) out.push('tls-exporter');
  // A TLS server always presents a certificate: say so without hashing it (the hash is only needed
  // when a client binds with this type). Node keeps the side in _tlsOptions; else look at the cert.
  const isServer = (s as unknown as { _tlsOptions?: { isServer?: boolean } })._tlsOptions?.isServer === true;
  if (isServer || serverEndPoint(s)) out.push('tls-server-end-point');
  if (!v13 && s.getFinished()) out.push('tls-unique');
  return out;
}

export function channelBinding(s: TLSSocket, type: ChannelBindingType): Buffer | null {
  if (!channelBindingTypes(s).includes(type)) return null;
  if (type === 'tls-exporter') return s.exportKeyingMaterial(32, 'EXPORTER-Channel-Binding', Buffer.alloc(0));
  // RFC 5929 §3.1: the first Finished message of the latest handshake: the client's on a full
  // handshake (our peer's, as the server), ours on an abbreviated (resumed) one.
  if (type === 'tls-unique') return (s.isSessionReused() ? s.getFinished() : s.getPeerFinished()) ?? null;
  return serverEndPoint(s);
}
