// SASL PLAIN (RFC 4616): message = [authzid] NUL authcid NUL passwd, in one client response.
// Offered only over TLS (RFC 6120 §6.4.1 / supportedMechanisms).
import { saslPrepPassword } from './saslprep.ts';
import { MAX_CLIENT_MESSAGE, decodeUtf8, failure, failureFromError, type SaslContext, type SaslMechanism, type SaslStep } from './types.ts';

type State = 'start' | 'awaiting-response' | 'busy' | 'done';

export class PlainMechanism implements SaslMechanism {
  readonly name = 'PLAIN';
  private state: State = 'start';

  constructor(private readonly ctx: SaslContext) {}

  async step(response: Buffer): Promise<SaslStep> {
    if (this.state === 'busy') return failure('malformed-request', 'a step is already in progress');
    const state = this.state;
    this.state = 'busy';
    let result: SaslStep;
    try {
      result = await this.advance(state, response);
    } catch (err) {
      result = failureFromError(err);
    }
    this.state = result.kind === 'challenge' ? 'awaiting-response' : 'done';
    return result;
  }

  private async advance(state: State, response: Buffer): Promise<SaslStep> {
    if (state === 'done' || state === 'busy') return failure('malformed-request', 'the exchange is over');
    // RFC 6120 §6.4.2: no initial response; PLAIN is client-first, so send an empty challenge once.
    if (response.length === 0 && state === 'start') return { kind: 'challenge', data: Buffer.alloc(0) };
    if (response.length > MAX_CLIENT_MESSAGE) return failure('malformed-request', 'message too long');
    const text = decodeUtf8(response);
    if (text === null) return failure('malformed-request', 'message is not UTF-8');
    // RFC 4616 §2: exactly two NULs; authcid and passwd are 1*SAFE (non-empty, no NUL).
    const parts = text.split('\0');
    if (parts.length !== 3) return failure('malformed-request', 'expected authzid NUL authcid NUL passwd');
    const [authzid, authcid, passwd] = parts;
    if (authcid === '' || passwd === '') return failure('malformed-request', 'empty authcid or password');

    let password: string;
    try {
      password = saslPrepPassword(passwd);
    } catch {
      // No stored password can have been prepared from this one, so it is simply wrong.
      return failure('not-authorized');
    }
    if (!(await this.ctx.verifyPassword(authcid, password))) return failure('not-authorized');
    const success: SaslStep = { kind: 'success', username: authcid };
    if (authzid !== '') success.authzid = authzid;
    return success;
  }
}
