// Crypto callbacks @matrixai/quic needs: the server signs its stateless retry tokens and
// connection ids with an HMAC key (any keyed MAC will do), the client needs random bytes.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ClientCryptoOps, ServerCryptoOps } from '@matrixai/quic';

const toArrayBuffer = (b: Buffer): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

export function serverCrypto(): { key: ArrayBuffer; ops: ServerCryptoOps } {
  const mac = (key: ArrayBuffer, data: ArrayBuffer) => createHmac('sha256', Buffer.from(key)).update(Buffer.from(data)).digest();
  return {
    key: toArrayBuffer(randomBytes(32)),
    ops: {
      sign: async (key, data) => toArrayBuffer(mac(key, data)),
      verify: async (key, data, sig) => {
        const want = mac(key, data);
        const got = Buffer.from(sig);
        return got.length === want.length && timingSafeEqual(got, want);
      },
    },
  };
}

export function clientCrypto(): { ops: ClientCryptoOps } {
  return {
    ops: {
      randomBytes: async (data: ArrayBuffer) => {
        randomBytes(data.byteLength).copy(Buffer.from(data));
      },
    },
  };
}
