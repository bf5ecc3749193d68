// Whether a remote emoji image may be pulled (docs/emoji.md, specs/emoji-markup.md "Eligibility"):
// https only, a declared raster image type from the allowlist (never SVG), a declared size within
// the emoji limit, at least one XEP-0300 hash Parley can check (XEP-0447 forbids vouching for an
// unhashed file), and at most max_per_message emojis per message. Pure.
import type { EmojiImage } from './markup.ts';

/** XEP-0300 algorithms Parley verifies (the file-pull hash check supports these). */
export const SUPPORTED_HASHES = new Set(['sha-256', 'sha-512', 'sha3-256', 'sha3-512', 'blake2b-512']);

export interface EmojiLimits {
  maxBytes: number;
  maxPerMessage: number;
  mediaTypes: readonly string[];
}

/** Why the image is not pulled, or null when it is eligible. */
export function ineligible(img: EmojiImage, index: number, l: EmojiLimits): string | null {
  if (index >= l.maxPerMessage) return `more than ${l.maxPerMessage} custom emojis in one message`;
  if (!img.urls.some((u) => /^https:\/\//i.test(u))) return 'emoji not offered over https';
  if (!img.mediaType || !l.mediaTypes.includes(img.mediaType.toLowerCase())) return `emoji type ${img.mediaType ?? '(none)'} is not accepted`;
  if (img.size !== undefined && img.size > l.maxBytes) return `emoji larger than ${l.maxBytes} bytes`;
  if (!img.hashes.some((h) => SUPPORTED_HASHES.has(h.algo))) return 'emoji without a supported hash';
  return null;
}
