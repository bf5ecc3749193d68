// Server side of SCRAM (RFC 5802; RFC 7677 for SHA-256) with channel binding for the -PLUS
// variants (RFC 5802 §6, XEP-0440). Two steps:
//   client-first  -> challenge(server-first)
//   client-final  -> success(server-final) | failure
import { randomBytes } from 'node:crypto';
import { DEFAULT_SCRAM_ITERATIONS, fakeScramCredentials } from './credentials.ts';
import { constantTimeEqual, digest, hashLength, hmac, xor } from './scram-crypto.ts';
import { buildServerFinal, buildServerFirst, isPrintableNonce, parseClientFinal, parseClientFirst, type ClientFirst } from './scram-messages.ts';
import {
  MAX_CLIENT_MESSAGE,
  decodeUtf8,
  failure,
  failureFromError,
  type ChannelBindingType,
  type SaslContext,
  type SaslMechanism,
  type SaslStep,
  type ScramCredentials,
  type ScramHash,
} from './types.ts';

export interface ScramOptions {
  /** The server's part of the nonce (printable, no comma). Tests inject the RFC's; default is 18 random bytes in base64. */
  serverNonce?: () => string;
  /** Iteration count shown to unknown users; set it to the deployment's scram_iterations so they look like real ones. */
  unknownUserIterations?: number;
  /** Secret for unknown users' fake salts; default is a per-process random secret. */
  fakeSecret?: Buffer;
}

interface Keys {
  storedKey: Buffer;
  serverKey: Buffer;
}

type State =
  | { at: 'start'; emptyChallengeSent: boolean }
  | { at: 'final'; first: ClientFirst; cbData: Buffer; nonce: string; serverFirst: string; keys: Keys; known: boolean }
  | { at: 'busy' }
  | { at: 'done' };

const randomServerNonce = () => randomBytes(18).toString('base64');

export class ScramMechanism implements SaslMechanism {
  readonly name: string;
  private state: State = { at: 'start', emptyChallengeSent: false };

  constructor(
    readonly hash: ScramHash,
    readonly plus: boolean,
    private readonly ctx: SaslContext,
    private readonly opts: ScramOptions = {},
  ) {
    this.name = `SCRAM-${hash}${plus ? '-PLUS' : ''}`;
  }

  async step(response: Buffer): Promise<SaslStep> {
    // A second step while one is pending is a caller bug; refuse it without disturbing the first.
    if (this.state.at === 'busy') return failure('malformed-request', 'a step is already in progress');
    const state = this.state;
    this.state = { at: 'busy' };
    let result: { step: SaslStep; next: State };
    try {
      result = await this.advance(state, response);
    } catch (err) {
      result = { step: failureFromError(err), next: { at: 'done' } };
    }
    this.state = result.step.kind === 'failure' ? { at: 'done' } : result.next;
    return result.step;
  }

  private async advance(state: State, response: Buffer): Promise<{ step: SaslStep; next: State }> {
    const end = (step: SaslStep) => ({ step, next: { at: 'done' } as State });
    if (state.at === 'done' || state.at === 'busy') return end(failure('malformed-request', 'the exchange is over'));
    if (response.length > MAX_CLIENT_MESSAGE) return end(failure('malformed-request', 'message too long'));
    const text = decodeUtf8(response);
    if (text === null) return end(failure('malformed-request', 'message is not UTF-8'));

    if (state.at === 'start') {
      // RFC 6120 §6.4.2: no initial response; SCRAM is client-first, so send an empty challenge once.
      if (text === '' && !state.emptyChallengeSent) {
        return { step: { kind: 'challenge', data: Buffer.alloc(0) }, next: { at: 'start', emptyChallengeSent: true } };
      }
      return this.clientFirst(text);
    }
    return end(this.clientFinal(state, text));
  }

  private async clientFirst(text: string): Promise<{ step: SaslStep; next: State }> {
    const end = (step: SaslStep) => ({ step, next: { at: 'done' } as State });
    const parsed = parseClientFirst(text);
    if (!parsed.ok) return end(failure('malformed-request', parsed.text));
    const first = parsed.value;

    const cb = this.channelBindingData(first);
    if (!Buffer.isBuffer(cb)) return end(cb);

    const stored = await this.ctx.getScramCredentials(first.username, this.hash);
    // RFC 5802 §9, RFC 7677 §4: an unknown user goes through the same flow and fails at the proof.
    const known = stored?.hash === this.hash;
    const creds = known
      ? stored
      : fakeScramCredentials(first.username, this.hash, this.opts.unknownUserIterations ?? DEFAULT_SCRAM_ITERATIONS, this.opts.fakeSecret);
    const keys = this.checkCredentials(creds);
    if (keys === null) return end(failure('temporary-auth-failure', 'stored credentials are unusable'));

    const serverNonce = (this.opts.serverNonce ?? randomServerNonce)();
    if (!isPrintableNonce(serverNonce)) throw new Error('server nonce must be printable without commas');
    // RFC 5802 §5.1: the server appends its nonce to the client's.
    const nonce = first.clientNonce + serverNonce;
    const serverFirst = buildServerFirst(nonce, creds.salt, creds.iterations);
    return {
      step: { kind: 'challenge', data: Buffer.from(serverFirst, 'utf8') },
      next: { at: 'final', first, cbData: cb, nonce, serverFirst, keys, known },
    };
  }

  /** RFC 5802 §6: how the gs2 flag must agree with the mechanism and with what the server offered. */
  private channelBindingData(first: ClientFirst): Buffer | SaslStep {
    if (!this.plus) {
      if (first.cbFlag === 'p') return failure('malformed-request', 'channel binding requires a -PLUS mechanism');
      // RFC 5802 §6: 'y' means the client supports channel binding but thinks the server does not.
      // If this stream offered a -PLUS mechanism, someone removed it on the way: fail.
      if (first.cbFlag === 'y' && this.ctx.offeredMechanisms.some((m) => m.toUpperCase().endsWith('-PLUS'))) {
        return failure('not-authorized', 'channel binding downgrade detected');
      }
      return Buffer.alloc(0);
    }
    if (first.cbFlag !== 'p') return failure('malformed-request', `${this.name} requires channel binding (gs2 flag 'p')`);
    // XEP-0440: the client picks one of the types the server advertised.
    const type = first.cbName as ChannelBindingType;
    const data = this.ctx.offeredChannelBindings.includes(type) ? this.ctx.getChannelBinding(type) : null;
    if (data === null) return failure('not-authorized', `unsupported channel binding type ${first.cbName}`);
    return data;
  }

  private checkCredentials(c: ScramCredentials): Keys | null {
    const n = hashLength(this.hash);
    const storedKey = Buffer.from(c.storedKey, 'base64');
    const serverKey = Buffer.from(c.serverKey, 'base64');
    const saltOk = typeof c.salt === 'string' && c.salt.length > 0;
    if (!Number.isSafeInteger(c.iterations) || c.iterations < 1 || !saltOk) return null;
    if (storedKey.length !== n || serverKey.length !== n) return null;
    return { storedKey, serverKey };
  }

  private clientFinal(state: Extract<State, { at: 'final' }>, text: string): SaslStep {
    const parsed = parseClientFinal(text);
    if (!parsed.ok) return failure('malformed-request', parsed.text);
    const final = parsed.value;
    if (final.nonce !== state.nonce) return failure('not-authorized', 'nonce mismatch');
    // RFC 5802 §7: c= is base64(gs2-header [cbind-data]); cbind-data only with the 'p' flag.
    const expected = Buffer.concat([Buffer.from(state.first.gs2Header, 'utf8'), state.cbData]);
    if (!constantTimeEqual(final.channelBinding, expected)) return failure('not-authorized', 'channel binding mismatch');
    if (final.proof.length !== hashLength(this.hash)) return failure('malformed-request', 'proof has the wrong length');

    // RFC 5802 §3: AuthMessage, ClientSignature, then recover ClientKey from the proof and check H(ClientKey).
    const authMessage = `${state.first.bare},${state.serverFirst},${final.withoutProof}`;
    const clientSignature = hmac(this.hash, state.keys.storedKey, authMessage);
    const clientKey = xor(final.proof, clientSignature);
    const proofOk = constantTimeEqual(digest(this.hash, clientKey), state.keys.storedKey);
    // Same condition and text for a wrong password and an unknown user.
    if (!proofOk || !state.known) return failure('not-authorized');

    const serverSignature = hmac(this.hash, state.keys.serverKey, authMessage);
    const success: SaslStep = { kind: 'success', data: Buffer.from(buildServerFinal(serverSignature), 'utf8'), username: state.first.username };
    if (state.first.authzid !== undefined) success.authzid = state.first.authzid;
    return success;
  }
}
