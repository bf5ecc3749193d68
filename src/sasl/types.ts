// Shared types of the SASL mechanisms. Mechanisms are socket-free state machines: the stream
// layer feeds them decoded client responses and turns each SaslStep into <challenge/>,
// <success/> or <failure/> (RFC 6120 §6.4).
export type ScramHash = 'SHA-1' | 'SHA-256' | 'SHA-512';

/** Salted SCRAM keys (RFC 5802 §3); the password itself is never stored. */
export interface ScramCredentials {
  hash: ScramHash;
  /** base64 */
  salt: string;
  iterations: number;
  /** base64 of H(ClientKey) */
  storedKey: string;
  /** base64 of HMAC(SaltedPassword, "Server Key") */
  serverKey: string;
}

/** RFC 9266, RFC 5929 §4 and §3. */
export type ChannelBindingType = 'tls-exporter' | 'tls-server-end-point' | 'tls-unique';

export interface SaslContext {
  /** Look up credentials for a username (already SASLprep'ed / as sent); null when no such account. */
  getScramCredentials(username: string, hash: ScramHash): Promise<ScramCredentials | null>;
  /** Verify a plaintext password (PLAIN). The password has been through saslPrepPassword. */
  verifyPassword(username: string, password: string): Promise<boolean>;
  /** Channel-binding data for this connection, or null if the type is unavailable. */
  getChannelBinding(type: ChannelBindingType): Buffer | null;
  /** Mechanism names the server offered on this stream (for XEP-0474 downgrade protection and the gs2 'y' flag check). */
  offeredMechanisms: string[];
  /** Channel-binding types the server offered (XEP-0440). */
  offeredChannelBindings: ChannelBindingType[];
}

/** RFC 6120 §6.5 failure conditions. */
export type SaslFailureCondition =
  | 'not-authorized'
  | 'malformed-request'
  | 'invalid-authzid'
  | 'invalid-mechanism'
  | 'encryption-required'
  | 'aborted'
  | 'credentials-expired'
  | 'account-disabled'
  | 'temporary-auth-failure';

export type SaslStep =
  | { kind: 'challenge'; data: Buffer }
  | { kind: 'success'; data?: Buffer; username: string; authzid?: string }
  | { kind: 'failure'; condition: SaslFailureCondition; text?: string };

export interface SaslMechanism {
  readonly name: string;
  /** Never throws and never rejects: every outcome is a SaslStep. */
  step(response: Buffer): Promise<SaslStep>;
}

/**
 * A SaslContext callback may throw this to end the exchange with a specific condition
 * (e.g. 'account-disabled'); any other thrown value becomes 'temporary-auth-failure'.
 */
export class SaslError extends Error {
  constructor(
    readonly condition: SaslFailureCondition,
    readonly text?: string,
  ) {
    super(text ? `${condition}: ${text}` : condition);
    this.name = 'SaslError';
  }
}

export function failure(condition: SaslFailureCondition, text?: string): SaslStep {
  return text === undefined ? { kind: 'failure', condition } : { kind: 'failure', condition, text };
}

/** Maps an exception from a SaslContext callback to a failure step. */
export function failureFromError(err: unknown): SaslStep {
  if (err instanceof SaslError) return failure(err.condition, err.text);
  return failure('temporary-auth-failure');
}

/** Largest client message accepted; real SCRAM/PLAIN messages are a few hundred bytes. */
export const MAX_CLIENT_MESSAGE = 8192;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Strict UTF-8 decoding; null on invalid input (RFC 5802 §7 and RFC 4616 §2 require UTF-8). */
export function decodeUtf8(data: Buffer): string | null {
  try {
    return utf8.decode(data);
  } catch {
    return null;
  }
}
