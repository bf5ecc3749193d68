// Whether a slot's file may be served right now. Checked on every GET/HEAD, not only by the
// sweeper: XEP-0363 §5 (ephemeral) says a file MUST NOT be available after expire-before.
import type { UploadSlot } from '../../storage/types.ts';

export function isServable(slot: UploadSlot, now: number): boolean {
  return slot.state === 'ready' && slot.sha256 !== null && (slot.expiresAt === null || slot.expiresAt > now);
}
