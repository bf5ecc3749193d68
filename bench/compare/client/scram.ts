// SCRAM-SHA-1 client side (RFC 5802 §3, as XMPP uses it per RFC 6120 §6) with node:crypto.
// The salted password is cached per (server, user, salt, iterations), as RFC 5802 §5.1 allows a
// client to do, so a login storm measures the server and not the client's PBKDF2.
import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';

interface Keys {
  clientKey: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
}

const keyCache = new Map<string, Promise<Keys>>();

function deriveKeys(password: string, salt: Buffer, iterations: number): Promise<Keys> {
  return new Promise((resolve, reject) => {
    pbkdf2(password, salt, iterations, 20, 'sha1', (err, salted) => {
      if (err) return reject(err);
      const clientKey = createHmac('sha1', salted).update('Client Key').digest();
      resolve({ clientKey, storedKey: createHash('sha1').update(clientKey).digest(), serverKey: createHmac('sha1', salted).update('Server Key').digest() });
    });
  });
}

const saslname = (s: string) => s.replace(/=/g, '=3D').replace(/,/g, '=2C');

export class ScramSha1 {
  private readonly clientNonce = randomBytes(18).toString('base64');
  private readonly firstBare: string;
  private authMessage = '';
  private keys: Keys | null = null;

  constructor(
    private readonly cacheScope: string,
    private readonly username: string,
    private readonly password: string,
  ) {
    this.firstBare = `n=${saslname(username)},r=${this.clientNonce}`;
  }

  /** Base64 client-first-message (no channel binding: gs2 header "n,,"). */
  first(): string {
    return Buffer.from(`n,,${this.firstBare}`).toString('base64');
  }

  /** Base64 client-final-message for the base64 server-first-message. */
  async final(challengeB64: string): Promise<string> {
    const serverFirst = Buffer.from(challengeB64, 'base64').toString('utf8');
    let r = '';
    let s = '';
    let i = 0;
    for (const part of serverFirst.split(',')) {
      if (part.startsWith('r=')) r = part.slice(2);
      else if (part.startsWith('s=')) s = part.slice(2);
      else if (part.startsWith('i=')) i = Number(part.slice(2));
    }
    if (!r.startsWith(this.clientNonce) || !s || !(i > 0)) throw new Error(`bad SCRAM server-first-message: ${serverFirst}`);
    const key = `${this.cacheScope}|${this.username}|${s}|${i}`;
    let keys = keyCache.get(key);
    if (!keys) {
      keys = deriveKeys(this.password, Buffer.from(s, 'base64'), i);
      keyCache.set(key, keys);
    }
    this.keys = await keys;
    const withoutProof = `c=biws,r=${r}`;
    this.authMessage = `${this.firstBare},${serverFirst},${withoutProof}`;
    const signature = createHmac('sha1', this.keys.storedKey).update(this.authMessage).digest();
    const proof = Buffer.allocUnsafe(20);
    for (let k = 0; k < 20; k++) proof[k] = this.keys.clientKey[k] ^ signature[k];
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`).toString('base64');
  }

  /** RFC 5802 §3: the server proves it knows the password too (v= in additional data with success). */
  verify(successB64: string): void {
    if (!this.keys) throw new Error('SCRAM: success before challenge');
    const serverFinal = Buffer.from(successB64, 'base64').toString('utf8');
    const expected = createHmac('sha1', this.keys.serverKey).update(this.authMessage).digest();
    const got = Buffer.from(serverFinal.startsWith('v=') ? serverFinal.slice(2) : '', 'base64');
    if (got.length !== expected.length || !timingSafeEqual(got, expected)) throw new Error(`SCRAM: server signature does not verify (${serverFinal})`);
  }
}
