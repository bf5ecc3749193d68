// SASL negotiation on a client stream (RFC 6120 §6): mechanism list, <auth>/<response>/<abort>,
// success and failure elements, failed-attempt counting. The mechanisms themselves are in src/sasl.
import { supportedMechanisms, createMechanism, type SaslMechanism, type ChannelBindingType } from '../sasl/index.ts';
import { SaslError } from '../sasl/types.ts';
import type { Transport } from '../net/transport.ts';
import { xml, type Element } from '../xml/element.ts';
import { NS } from '../xml/namespaces.ts';
import type { Logger } from '../observability/log.ts';
import type { C2SDeps } from './c2s-deps.ts';

/** Failed attempts allowed on one stream before it is closed (RFC 6120 §6.4.5 lets us pick). */
const MAX_FAILURES = 3;

export type SaslOutcome = { kind: 'continue' } | { kind: 'success'; username: string } | { kind: 'close' };

export class SaslNegotiation {
  private mechanism: SaslMechanism | null = null;
  private failures = 0;
  private started = 0;
  /** The account the current exchange tries (as normalised for the failed-login backoff). */
  private attempted: string | null = null;
  private readonly offered: string[];
  private readonly cbTypes: ChannelBindingType[];

  constructor(private readonly transport: Transport, private readonly deps: C2SDeps, private readonly domain: string, private readonly log: Logger) {
    this.cbTypes = transport.channelBindingTypes();
    this.offered = supportedMechanisms({
      tls: transport.secure,
      channelBindings: this.cbTypes,
      allowPlain: deps.config.c2s.allow_plain,
      hashes: deps.config.c2s.scram_hashes,
    });
  }

  featureElements(): Element[] {
    const out = [xml('mechanisms', { xmlns: NS.sasl }, ...this.offered.map((m) => xml('mechanism', {}, m)))];
    // XEP-0440: tell clients which channel-binding types this connection supports.
    if (this.cbTypes.length) out.push(xml('sasl-channel-binding', { xmlns: NS.saslCb }, ...this.cbTypes.map((t) => xml('channel-binding', { type: t }))));
    return out;
  }

  async handle(el: Element): Promise<SaslOutcome> {
    if (el.name === 'abort') {
      this.mechanism = null;
      return this.fail('aborted');
    }
    if (el.name === 'auth') {
      const name = el.attrs.mechanism ?? '';
      if (this.mechanism) return this.fail('malformed-request', 'An exchange is already in progress');
      if (!this.offered.includes(name)) return this.fail('invalid-mechanism');
      this.attempted = null;
      const mech = createMechanism(name, {
        getScramCredentials: (u, h) => (this.checkBackoff(u), this.deps.accounts.scramCredentials(u, this.domain, h)),
        verifyPassword: (u, p) => (this.checkBackoff(u), this.deps.accounts.verifyPassword(u, this.domain, p)),
        getChannelBinding: (t) => this.transport.channelBinding(t),
        offeredMechanisms: this.offered,
        offeredChannelBindings: this.cbTypes,
      }, { unknownUserIterations: this.deps.config.auth.scram_iterations });
      if (!mech) return this.fail('invalid-mechanism');
      this.mechanism = mech;
      this.started = performance.now();
    } else if (!this.mechanism) {
      return this.fail('malformed-request', 'No exchange in progress');
    }
    const text = el.getText().trim();
    let data: Buffer;
    if (text === '=' || text === '') data = Buffer.alloc(0); // RFC 6120 §6.4.2: '=' is an empty response
    else if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return this.fail('incorrect-encoding');
    else data = Buffer.from(text, 'base64');
    const step = await this.mechanism.step(data);
    if (step.kind === 'challenge') {
      this.write(xml('challenge', { xmlns: NS.sasl }, step.data.length ? step.data.toString('base64') : '='));
      return { kind: 'continue' };
    }
    const mechName = this.mechanism.name;
    this.mechanism = null;
    this.deps.metrics.authLatency.observe((performance.now() - this.started) / 1000);
    if (step.kind === 'success') {
      if (step.authzid && step.authzid !== `${step.username}@${this.domain}`) return this.fail('invalid-authzid');
      this.deps.metrics.authSuccesses.inc({ mechanism: mechName });
      this.deps.authThrottle?.succeeded(this.transport.remoteAddress);
      this.deps.loginBackoff?.succeeded(this.accountKey(step.username), this.transport.remoteAddress);
      this.write(xml('success', { xmlns: NS.sasl }, step.data?.length ? step.data.toString('base64') : undefined));
      return { kind: 'success', username: this.deps.accounts.normaliseUsername(step.username, this.domain) };
    }
    this.deps.metrics.authFailures.inc({ mechanism: mechName });
    const byAddress = this.deps.authThrottle?.failed(this.transport.remoteAddress) ?? 0;
    const byAccount = this.attempted !== null ? (this.deps.loginBackoff?.failed(this.attempted, this.transport.remoteAddress) ?? 0) : 0;
    if (byAddress > 0) this.deps.metrics.authThrottled.inc({ scope: 'address' });
    if (byAccount > 0) this.deps.metrics.authThrottled.inc({ scope: 'account' });
    const delay = Math.max(byAddress, byAccount);
    this.log.info({ mechanism: mechName, condition: step.condition, user: this.attempted ?? undefined, delay_ms: delay }, 'authentication failed');
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    return this.fail(step.condition, step.text);
  }

  /**
   * Called by the mechanism with the username the client sent, before any password check: an
   * address in backoff for this account gets temporary-auth-failure (RFC 6120 §6.5.12) whatever
   * the password, so it learns nothing by guessing faster (stream/limits-auth.ts).
   */
  private checkBackoff(username: string): void {
    this.attempted = this.accountKey(username);
    const wait = this.deps.loginBackoff?.refusedFor(this.attempted, this.transport.remoteAddress) ?? 0;
    if (wait > 0) {
      this.deps.metrics.authThrottled.inc({ scope: 'account' });
      throw new SaslError('temporary-auth-failure', `Too many failed attempts: try again in ${Math.ceil(wait / 1000)} s`);
    }
  }

  private accountKey(username: string): string {
    try {
      return this.deps.accounts.normaliseUsername(username, this.domain);
    } catch {
      return username.toLowerCase();
    }
  }

  private fail(condition: string, text?: string): SaslOutcome {
    this.mechanism = null;
    this.write(xml('failure', { xmlns: NS.sasl }, xml(condition), text ? xml('text', { 'xml:lang': 'en' }, text) : undefined));
    if (condition !== 'aborted' && ++this.failures >= MAX_FAILURES) return { kind: 'close' };
    return { kind: 'continue' };
  }

  private write(el: Element): void {
    this.transport.write(el.toString());
  }
}
