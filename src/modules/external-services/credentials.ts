// Time-limited credentials for STUN/TURN servers sharing a secret with us (the "TURN REST API",
// draft-uberti-behave-turn-rest-00 §2.2, as implemented by coturn's use-auth-secret):
// username = "<expiry unix time>:<user>", password = base64(HMAC-SHA1(secret, username)).
import { createHmac } from 'node:crypto';

export interface TurnCredentials {
  username: string;
  password: string;
  /** XEP-0082 dateTime in UTC (XEP-0215 §3 'expires'). */
  expires: string;
}

export function turnCredentials(secret: string, user: string, ttlSeconds: number, nowMs = Date.now()): TurnCredentials {
  const expiry = Math.floor(nowMs / 1000) + ttlSeconds;
  const username = `${expiry}:${user}`;
  const password = createHmac('sha1', secret).update(username).digest('base64');
  return { username, password, expires: new Date(expiry * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') };
}
