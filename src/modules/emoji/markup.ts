// Which files of a message are custom emoji images (Emoji Markup proto-XEP v0.0.3): an
// <emoji xmlns='urn:xmpp:markup:emoji:0'> inside a XEP-0394 <span/> names its image by XEP-0300
// hashes; the image is the XEP-0447 <file-sharing/> (or XEP-0385 <media-sharing/>) whose file has
// one of those hashes. Matching is by hash only: the proto-XEP's `id` attribute is used
// inconsistently by its own examples (docs/emoji.md). Pure.
import type { Element } from '../../xml/element.ts';

export const NS_EMOJI = 'urn:xmpp:markup:emoji:0';
export const NS_MARKUP = 'urn:xmpp:markup:0';
const NS_HASHES = 'urn:xmpp:hashes:2';
const NS_SFS = 'urn:xmpp:sfs:0';
const NS_FILE_METADATA = 'urn:xmpp:file:metadata:0';
const NS_URL_DATA = 'http://jabber.org/protocol/url-data';
const NS_REFERENCE = 'urn:xmpp:reference:0';
const NS_SIMS = 'urn:xmpp:sims:1';
const NS_JINGLE_FT = 'urn:xmpp:jingle:apps:file-transfer:5';

const hashKey = (h: Element) => `${h.attrs.algo ?? ''}:${h.getText().trim()}`;

/** The hashes (algo:base64) of every <emoji/> in the message's markup, in document order. */
export function emojiHashes(stanza: Element): Set<string> {
  const out = new Set<string>();
  for (const markup of stanza.getChildren('markup', NS_MARKUP)) {
    for (const span of markup.getChildren('span', NS_MARKUP)) {
      for (const emoji of span.getChildren('emoji', NS_EMOJI)) for (const h of emoji.getChildren('hash', NS_HASHES)) out.add(hashKey(h));
    }
  }
  return out;
}

/** An emoji image as the message describes it. */
export interface EmojiImage {
  /** Its http(s) sources, in the sender's order. */
  urls: string[];
  mediaType?: string;
  size?: number;
  hashes: Array<{ algo: string; value: string }>;
}

function describe(file: Element | undefined, urls: string[]): EmojiImage {
  const size = Number(file?.getChildText('size'));
  return {
    urls,
    mediaType: file?.getChildText('media-type')?.trim() || undefined,
    size: file?.getChildText('size') !== undefined && Number.isSafeInteger(size) && size >= 0 ? size : undefined,
    hashes: (file?.getChildren('hash', NS_HASHES) ?? []).map((h) => ({ algo: h.attrs.algo ?? '', value: h.getText().trim() })),
  };
}

/** The sharing elements of the message whose file an <emoji/> references by hash. */
export function emojiImages(stanza: Element): EmojiImage[] {
  const wanted = emojiHashes(stanza);
  if (wanted.size === 0) return [];
  const referenced = (file: Element | undefined) => (file?.getChildren('hash', NS_HASHES) ?? []).some((h) => wanted.has(hashKey(h)));
  const out: EmojiImage[] = [];
  for (const fs of stanza.getChildren('file-sharing', NS_SFS)) {
    const file = fs.getChild('file', NS_FILE_METADATA);
    if (!referenced(file)) continue;
    const urls = (fs.getChild('sources', NS_SFS)?.getChildren('url-data', NS_URL_DATA) ?? []).map((u) => (u.attrs.target ?? '').trim()).filter(Boolean);
    out.push(describe(file, urls));
  }
  for (const ref of stanza.getChildren('reference', NS_REFERENCE)) {
    const ms = ref.getChild('media-sharing', NS_SIMS);
    const file = ms?.getChild('file', NS_JINGLE_FT);
    if (!ms || !referenced(file)) continue;
    const urls = (ms.getChild('sources')?.getChildren('reference', NS_REFERENCE) ?? []).map((s) => (s.attrs.uri ?? '').trim()).filter(Boolean);
    out.push(describe(file, urls));
  }
  return out;
}
