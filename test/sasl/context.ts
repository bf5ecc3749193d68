// A SaslContext over an in-memory account table, for the SASL tests.
import { deriveScramCredentials, supportedMechanisms, type ChannelBindingType, type SaslContext, type ScramCredentials, type ScramHash } from '../../src/sasl/index.ts';

export const ALL_HASHES: ScramHash[] = ['SHA-1', 'SHA-256', 'SHA-512'];

export interface TestContextOptions {
  /** username -> password */
  accounts?: Record<string, string>;
  iterations?: number;
  /** Channel-binding data per type; the types present are offered. */
  channelBindings?: Partial<Record<ChannelBindingType, Buffer>>;
  offeredMechanisms?: string[];
}

export async function testContext(o: TestContextOptions = {}): Promise<SaslContext & { lookups: string[] }> {
  const iterations = o.iterations ?? 4096;
  const creds = new Map<string, ScramCredentials>();
  const passwords = new Map(Object.entries(o.accounts ?? {}));
  for (const [user, password] of passwords) {
    for (const h of ALL_HASHES) creds.set(`${h}\0${user}`, await deriveScramCredentials(password, h, iterations));
  }
  const cb = o.channelBindings ?? {};
  const cbTypes = Object.keys(cb) as ChannelBindingType[];
  const lookups: string[] = [];
  return {
    lookups,
    async getScramCredentials(username, hash) {
      lookups.push(username);
      return creds.get(`${hash}\0${username}`) ?? null;
    },
    async verifyPassword(username, password) {
      return passwords.get(username) === password;
    },
    getChannelBinding: (type) => cb[type] ?? null,
    offeredMechanisms: o.offeredMechanisms ?? supportedMechanisms({ tls: true, channelBindings: cbTypes, allowPlain: true, hashes: ALL_HASHES }),
    offeredChannelBindings: cbTypes,
  };
}
