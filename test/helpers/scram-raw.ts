// A SCRAM client (RFC 5802, RFC 7677) over a RawXmpp stream, independent of the server's code,
// with the channel bindings the -PLUS variants use: tls-exporter (RFC 9266, TLS 1.3) and
// tls-server-end-point (RFC 5929 §4). It checks the server's signature, so success means both
// sides proved knowledge of the password.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import type { RawXmpp } from './raw.ts';

export type ScramHash = 'SHA-1' | 'SHA-256' | 'SHA-512';
export type ChannelBindingType = 'tls-exporter' | 'tls-server-end-point';

export interface ScramLogin {
  hash: ScramHash;
  username: string;
  password: string;
  /** Use the -PLUS mechanism with this binding. */
  channelBinding?: ChannelBindingType;
  /** Send binding data with one bit flipped, as a man in the middle would end up doing. */
  tamperBinding?: boolean;
}

export type ScramOutcome = { ok: true; mechanism: string } | { ok: false; mechanism: string; condition: string; text: string };

const nodeHash = (h: ScramHash) => h.replace('-', '').toLowerCase();
const hashLen = (h: ScramHash) => ({ 'SHA-1': 20, 'SHA-256': 32, 'SHA-512': 64 })[h];
const saslname = (s: string) => s.replace(/=/g, '=3D').replace(/,/g, '=2C');

function bindingData(raw: RawXmpp, type: ChannelBindingType): Buffer {
  const tls = raw.tls;
  if (!tls) throw new Error('channel binding needs TLS');
  if (type === 'tls-exporter') return tls.exportKeyingMaterial(32, 'EXPORTER-Channel-Binding', Buffer.alloc(0));
  // RFC 5929 §4.1: hash of the server certificate with its signature hash (SHA-256 for the test cert).
  return createHash('sha256').update(tls.getPeerCertificate().raw).digest();
}

const SASL_REPLY = /<(challenge|success|failure)\b[^>]*?(?:\/>|>([\s\S]*?)<\/\1>)/;

async function next(raw: RawXmpp): Promise<{ kind: string; body: string }> {
  const text = await raw.waitFor(SASL_REPLY);
  const m = SASL_REPLY.exec(text.slice(text.search(/<(challenge|success|failure)\b/)))!;
  return { kind: m[1], body: m[2] ?? '' };
}

function failed(mechanism: string, body: string): ScramOutcome {
  const condition = /<([a-z-]+)[\s/>]/.exec(body.replace(/<text[\s\S]*?<\/text>/, ''))?.[1] ?? 'unknown';
  const text = /<text[^>]*>([\s\S]*?)<\/text>/.exec(body)?.[1] ?? '';
  return { ok: false, mechanism, condition, text };
}

export async function authScram(raw: RawXmpp, o: ScramLogin): Promise<ScramOutcome> {
  const mechanism = `SCRAM-${o.hash}${o.channelBinding ? '-PLUS' : ''}`;
  const gs2 = o.channelBinding ? `p=${o.channelBinding},,` : 'n,,';
  const clientNonce = randomBytes(18).toString('base64');
  const firstBare = `n=${saslname(o.username)},r=${clientNonce}`;
  raw.write(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='${mechanism}'>${Buffer.from(gs2 + firstBare).toString('base64')}</auth>`);

  const challenge = await next(raw);
  if (challenge.kind !== 'challenge') return failed(mechanism, challenge.body);
  const serverFirst = Buffer.from(challenge.body.trim(), 'base64').toString('utf8');
  const attrs = Object.fromEntries(serverFirst.split(',').map((kv) => [kv[0], kv.slice(2)]));
  if (!attrs.r?.startsWith(clientNonce)) throw new Error(`server nonce does not extend ours: ${serverFirst}`);

  const cbData = o.channelBinding ? bindingData(raw, o.channelBinding) : Buffer.alloc(0);
  if (o.tamperBinding && cbData.length) cbData[0] ^= 1;
  const withoutProof = `c=${Buffer.concat([Buffer.from(gs2), cbData]).toString('base64')},r=${attrs.r}`;
  const h = nodeHash(o.hash);
  const salted = pbkdf2Sync(o.password, Buffer.from(attrs.s, 'base64'), Number(attrs.i), hashLen(o.hash), h);
  const clientKey = createHmac(h, salted).update('Client Key').digest();
  const storedKey = createHash(h).update(clientKey).digest();
  const authMessage = `${firstBare},${serverFirst},${withoutProof}`;
  const signature = createHmac(h, storedKey).update(authMessage).digest();
  const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]));
  raw.write(`<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>${Buffer.from(`${withoutProof},p=${proof.toString('base64')}`).toString('base64')}</response>`);

  const outcome = await next(raw);
  if (outcome.kind !== 'success') return failed(mechanism, outcome.body);
  const serverFinal = Buffer.from(outcome.body.trim(), 'base64').toString('utf8');
  const serverKey = createHmac(h, salted).update('Server Key').digest();
  const expected = createHmac(h, serverKey).update(authMessage).digest('base64');
  if (serverFinal !== `v=${expected}`) throw new Error(`server signature does not verify: ${serverFinal}`);
  return { ok: true, mechanism };
}
