// Server Dialback keys (XEP-0185 §3): HMAC-SHA256 keyed with SHA256(secret) over
// "{Receiving Server} {Originating Server} {Stream ID}", hex-encoded.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const NS_DB = 'jabber:server:dialback';
export const NS_DB_FEATURE = 'urn:xmpp:features:dialback';

export function dialbackKey(secret: string, receiving: string, originating: string, streamId: string): string {
  const k = createHash('sha256').update(secret).digest('hex');
  return createHmac('sha256', k).update(`${receiving} ${originating} ${streamId}`).digest('hex');
}

export function keysEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
