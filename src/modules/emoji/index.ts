// Custom emoji (Emoji Markup proto-XEP v0.0.3, urn:xmpp:markup:emoji:0, over XEP-0394 markup and
// XEP-0447 stateless file sharing). The server's part: say that markup is relayed, archived and
// reflected intact (disco on the host and on every MUC room), and tell the file-pull module which
// remote files are emoji images so they are pulled with the emoji limits. Decisions: docs/emoji.md.
// Config: [modules.emoji] enabled, max_bytes, max_per_message, media_types.
// Features: urn:xmpp:markup:emoji:0 (host; MUC rooms through the DiscoRegistry 'room' scope).
// Hooks: none (pass-through needs no code: no path edits unknown payloads or the body).
// Service: emoji (classify a message's emoji image URLs; used by file-pull).
import { z } from 'zod';
import { defineModule } from '../types.ts';
import { NS_EMOJI, emojiImages } from './markup.ts';
import { ineligible } from './eligibility.ts';

const options = z.object({
  enabled: z.boolean().default(true).describe('Advertise urn:xmpp:markup:emoji:0 on the host and MUC rooms and apply the emoji limits to pulled emoji images (markup is relayed intact either way)'),
  max_bytes: z.number().int().positive().default(512 * 1024).describe('Largest custom emoji image pulled from another domain, bytes (declared and actual size)'),
  max_per_message: z.number().int().min(0).default(20).describe('Custom emoji images pulled per message; the rest are dropped (their fallback text stays)'),
  media_types: z.array(z.string()).default(['image/png', 'image/gif', 'image/webp', 'image/apng', 'image/jpeg']).describe('Declared media types of emoji images that are pulled (never SVG)'),
}).strict();

export default defineModule({
  name: 'emoji',
  description: 'Emoji Markup (custom emoji): disco feature and limits for pulled emoji images',
  options,
  start(ctx) {
    const o = ctx.options;
    if (!o.enabled) return;
    if (o.media_types.some((t) => t.toLowerCase().includes('svg'))) throw new Error('modules.emoji.media_types must not include SVG (scripts inside images)');
    const limits = { maxBytes: o.max_bytes, maxPerMessage: o.max_per_message, mediaTypes: o.media_types.map((t) => t.toLowerCase()) };
    ctx.disco.addFeature(NS_EMOJI);
    ctx.disco.addFeature(NS_EMOJI, 'room');
    ctx.services.provide('emoji', {
      maxBytes: o.max_bytes,
      classify(stanza) {
        const out = new Map<string, string | null>();
        emojiImages(stanza).forEach((img, i) => {
          const why = ineligible(img, i, limits);
          for (const url of img.urls) if (!out.has(url)) out.set(url, why);
        });
        return out;
      },
    });
    return () => {
      ctx.disco.removeFeature(NS_EMOJI);
      ctx.disco.removeFeature(NS_EMOJI, 'room');
    };
  },
});
