// Accounts: create, change password, delete, authenticate. Only salted SCRAM keys are stored
// (one set per configured hash); PLAIN is checked by re-deriving with the stored salt.
import { timingSafeEqual } from 'node:crypto';
import { deriveScramCredentials, type ScramCredentials, type ScramHash } from '../sasl/index.ts';
import { jid as makeJid, JidError } from '../jid/index.ts';
import type { Storage } from '../storage/types.ts';

export class AccountError extends Error {}

export class Accounts {
  constructor(
    private readonly storage: Storage,
    private readonly hashes: ScramHash[],
    private readonly iterations: number,
  ) {}

  /** Normalised localpart (PRECIS UsernameCaseMapped) or an AccountError saying why not. */
  normaliseUsername(username: string, domain: string): string {
    try {
      return makeJid(username, domain).local;
    } catch (e) {
      throw new AccountError(e instanceof JidError ? `invalid username: ${e.message}` : String(e));
    }
  }

  private async credentials(password: string): Promise<Partial<Record<ScramHash, ScramCredentials>>> {
    if (password.length === 0) throw new AccountError('password must not be empty');
    const out: Partial<Record<ScramHash, ScramCredentials>> = {};
    for (const h of this.hashes) out[h] = await deriveScramCredentials(password, h, this.iterations);
    return out;
  }

  async create(username: string, domain: string, password: string): Promise<void> {
    const user = this.normaliseUsername(username, domain);
    const credentials = await this.credentials(password);
    if (!(await this.storage.accounts.create({ username: user, domain, credentials, createdAt: Date.now() }))) throw new AccountError(`account ${user}@${domain} already exists`);
  }

  async setPassword(username: string, domain: string, password: string): Promise<void> {
    const user = this.normaliseUsername(username, domain);
    if (!(await this.storage.accounts.setCredentials(user, domain, await this.credentials(password)))) throw new AccountError(`no account ${user}@${domain}`);
  }

  async delete(username: string, domain: string): Promise<boolean> {
    return this.storage.deleteUser(this.normaliseUsername(username, domain), domain);
  }

  async exists(username: string, domain: string): Promise<boolean> {
    return this.storage.accounts.exists(username, domain);
  }

  async scramCredentials(username: string, domain: string, hash: ScramHash): Promise<ScramCredentials | null> {
    let user: string;
    try {
      user = this.normaliseUsername(username, domain);
    } catch {
      return null;
    }
    return (await this.storage.accounts.get(user, domain))?.credentials[hash] ?? null;
  }

  async verifyPassword(username: string, domain: string, password: string): Promise<boolean> {
    let user: string;
    try {
      user = this.normaliseUsername(username, domain);
    } catch {
      return false;
    }
    const account = await this.storage.accounts.get(user, domain);
    const stored = account && (account.credentials['SHA-256'] ?? account.credentials['SHA-1'] ?? Object.values(account.credentials)[0]);
    if (!stored) {
      // Same work as a real check, so timing does not reveal which accounts exist.
      await deriveScramCredentials(password, 'SHA-256', this.iterations, Buffer.alloc(16));
      return false;
    }
    const check = await deriveScramCredentials(password, stored.hash, stored.iterations, Buffer.from(stored.salt, 'base64'));
    const a = Buffer.from(check.storedKey, 'base64');
    const b = Buffer.from(stored.storedKey, 'base64');
    return a.length === b.length && timingSafeEqual(a, b);
  }
}

