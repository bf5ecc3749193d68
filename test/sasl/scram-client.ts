// A minimal SCRAM client (RFC 5802 §3, §5), for tests only: it lets the tests round-trip the
// server mechanism and forge the odd message. Computes everything itself from node:crypto.
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { saslPrepPassword, type ScramHash } from '../../src/sasl/index.ts';

const DIGEST: Record<ScramHash, string> = { 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-512': 'sha512' };
const LENGTH: Record<ScramHash, number> = { 'SHA-1': 20, 'SHA-256': 32, 'SHA-512': 64 };

export interface ScramClientOptions {
  hash: ScramHash;
  username: string;
  password: string;
  authzid?: string;
  /** gs2 flag: 'n' (default), 'y', or a channel-binding type, which sends 'p=<type>'. */
  channelBinding?: 'n' | 'y' | { type: string; data: Buffer };
  clientNonce?: string;
}

const saslname = (s: string) => s.replace(/[=,]/g, (c) => (c === ',' ? '=2C' : '=3D'));

export class ScramClient {
  readonly gs2Header: string;
  readonly clientFirstBare: string;
  private serverSignature: Buffer | null = null;

  constructor(private readonly o: ScramClientOptions) {
    const cb = o.channelBinding ?? 'n';
    const flag = typeof cb === 'string' ? cb : `p=${cb.type}`;
    this.gs2Header = `${flag},${o.authzid !== undefined ? `a=${saslname(o.authzid)}` : ''},`;
    const nonce = o.clientNonce ?? randomBytes(18).toString('base64');
    this.clientFirstBare = `n=${saslname(o.username)},r=${nonce}`;
  }

  first(): Buffer {
    return Buffer.from(this.gs2Header + this.clientFirstBare, 'utf8');
  }

  /** client-final-message for a server-first-message; `cbOverride` forges the c= content. */
  final(serverFirst: Buffer, cbOverride?: Buffer): Buffer {
    const sf = serverFirst.toString('utf8');
    const attrs = new Map(sf.split(',').map((p) => [p[0], p.slice(2)] as const));
    const nonce = attrs.get('r')!;
    const salt = Buffer.from(attrs.get('s')!, 'base64');
    const iterations = Number(attrs.get('i'));
    const h = DIGEST[this.o.hash];
    const cb = this.o.channelBinding;
    const cbData = typeof cb === 'object' ? cb.data : Buffer.alloc(0);
    const cbInput = cbOverride ?? Buffer.concat([Buffer.from(this.gs2Header), cbData]);
    const withoutProof = `c=${cbInput.toString('base64')},r=${nonce}`;
    const authMessage = `${this.clientFirstBare},${sf},${withoutProof}`;

    const salted = pbkdf2Sync(saslPrepPassword(this.o.password), salt, iterations, LENGTH[this.o.hash], h);
    const clientKey = createHmac(h, salted).update('Client Key').digest();
    const storedKey = createHash(h).update(clientKey).digest();
    const clientSignature = createHmac(h, storedKey).update(authMessage).digest();
    const proof = Buffer.from(clientKey.map((b, i) => b ^ clientSignature[i]));
    const serverKey = createHmac(h, salted).update('Server Key').digest();
    this.serverSignature = createHmac(h, serverKey).update(authMessage).digest();
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`, 'utf8');
  }

  /** RFC 5802 §3: the client checks ServerSignature from the server-final-message. */
  verifyServerFinal(serverFinal: Buffer): boolean {
    const m = /^v=([A-Za-z0-9+/=]+)$/.exec(serverFinal.toString('utf8'));
    if (!m || !this.serverSignature) return false;
    const v = Buffer.from(m[1], 'base64');
    return v.length === this.serverSignature.length && timingSafeEqual(v, this.serverSignature);
  }
}
