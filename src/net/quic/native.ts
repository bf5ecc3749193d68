// @matrixai/quic 2.0.9 does not expose the negotiated ALPN or SNI on QUICConnection; the quiche
// object behind its protected `conn` field does (specs/quic.md §1). Read it only here;
// test/e2e/quic-alpn.test.ts fails if an upgrade moves it.
import type { QUICConnection } from '@matrixai/quic';

interface NativeConn {
  applicationProto(): Uint8Array;
  serverName(): string | null;
}

function native(conn: QUICConnection): NativeConn | null {
  const n = (conn as unknown as { conn?: NativeConn }).conn;
  return n && typeof n.applicationProto === 'function' ? n : null;
}

export function negotiatedAlpn(conn: QUICConnection): string | null {
  const n = native(conn);
  return n ? Buffer.from(n.applicationProto()).toString('latin1') : null;
}

export function serverName(conn: QUICConnection): string | null {
  return native(conn)?.serverName() ?? null;
}
