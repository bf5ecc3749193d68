// Server-side SASL mechanisms as socket-free state machines: SCRAM-SHA-1/-256/-512 (+PLUS)
// and PLAIN. The stream layer offers supportedMechanisms(), then feeds decoded client data to
// the mechanism from createMechanism() and maps each SaslStep to XML (RFC 6120 §6.4).
import { PlainMechanism } from './plain.ts';
import { ScramMechanism, type ScramOptions } from './scram.ts';
import { isScramHash, SCRAM_HASHES } from './scram-crypto.ts';
import type { ChannelBindingType, SaslContext, SaslMechanism, ScramHash } from './types.ts';

export type {
  ChannelBindingType,
  SaslContext,
  SaslFailureCondition,
  SaslMechanism,
  SaslStep,
  ScramCredentials,
  ScramHash,
} from './types.ts';
export { SaslError } from './types.ts';
export { deriveScramCredentials, DEFAULT_SCRAM_ITERATIONS } from './credentials.ts';
export { saslPrepPassword, SaslPrepError } from './saslprep.ts';
export type { ScramOptions } from './scram.ts';

const SCRAM_NAME = /^SCRAM-(SHA-1|SHA-256|SHA-512)(-PLUS)?$/;

/**
 * The mechanism for `name`, or null when it is unknown or was not offered on this stream
 * (RFC 6120 §6.4.2: the client must pick an offered mechanism; the caller answers
 * <invalid-mechanism/>). `scram` lets tests inject the server nonce and tunes unknown-user replies.
 */
export function createMechanism(name: string, ctx: SaslContext, scram: ScramOptions = {}): SaslMechanism | null {
  if (!ctx.offeredMechanisms.includes(name)) return null;
  if (name === 'PLAIN') return new PlainMechanism(ctx);
  const m = SCRAM_NAME.exec(name);
  if (m === null || !isScramHash(m[1])) return null;
  return new ScramMechanism(m[1], m[2] !== undefined, ctx, scram);
}

/**
 * Mechanisms to offer, strongest first: SCRAM -PLUS variants (only with TLS and a channel
 * binding type to use), plain SCRAM, then PLAIN (only over TLS and when allowed, RFC 6120 §6.4.1).
 */
export function supportedMechanisms(opts: {
  tls: boolean;
  channelBindings: ChannelBindingType[];
  allowPlain: boolean;
  hashes: ScramHash[];
}): string[] {
  const hashes = SCRAM_HASHES.filter((h) => opts.hashes.includes(h));
  const out: string[] = [];
  if (opts.tls && opts.channelBindings.length > 0) out.push(...hashes.map((h) => `SCRAM-${h}-PLUS`));
  out.push(...hashes.map((h) => `SCRAM-${h}`));
  if (opts.tls && opts.allowPlain) out.push('PLAIN');
  return out;
}
