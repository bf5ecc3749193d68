// The PUT authorisation of a slot (XEP-0363 §4: the service names the header the PUT must carry).
// An HMAC over what the slot allows (id, size, type, PUT deadline) with a key kept in data_dir:
// a leaked GET URL cannot be used to write, and a token cannot be stretched to another slot,
// size or type. The same token is not valid after the deadline because the deadline is signed.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface SignedSlot {
  id: string;
  size: number;
  type: string;
  putDeadline: number;
}

export function slotToken(key: Buffer, s: SignedSlot): string {
  return createHmac('sha256', key).update(`parley-upload-v1\n${s.id}\n${s.size}\n${s.type}\n${s.putDeadline}`).digest('base64url');
}

export function authorizationHeader(key: Buffer, s: SignedSlot): string {
  return `Bearer ${slotToken(key, s)}`;
}

export function checkAuthorization(key: Buffer, s: SignedSlot, header: string | undefined): boolean {
  const m = /^Bearer\s+([A-Za-z0-9_-]{20,100})\s*$/.exec(header ?? '');
  if (!m) return false;
  const want = Buffer.from(slotToken(key, s));
  const got = Buffer.from(m[1]);
  return want.length === got.length && timingSafeEqual(want, got);
}
