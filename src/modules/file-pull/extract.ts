// Which files a message points at, by the conventions clients use: XEP-0066 OOB, XEP-0385 SIMS,
// XEP-0447 SFS (also sources attached later), and a body that is exactly one URL. Pure.
import type { Element } from '../../xml/element.ts';

export const NS_OOB = 'jabber:x:oob';
export const NS_REFERENCE = 'urn:xmpp:reference:0';
export const NS_SIMS = 'urn:xmpp:sims:1';
export const NS_SFS = 'urn:xmpp:sfs:0';
export const NS_FILE_METADATA = 'urn:xmpp:file:metadata:0';
export const NS_JINGLE_FT = 'urn:xmpp:jingle:apps:file-transfer:5';
export const NS_URL_DATA = 'http://jabber.org/protocol/url-data';
export const NS_HASHES = 'urn:xmpp:hashes:2';

export interface Attachment {
  url: string;
  name?: string;
  size?: number;
  type?: string;
  /** XEP-0300 hashes announced for the file (algo as written, base64 value). */
  hashes: Array<{ algo: string; value: string }>;
  via: Array<'oob' | 'sims' | 'sfs' | 'body'>;
}

export function isFetchable(url: string): boolean {
  return /^https?:\/\/[^\s]+$/i.test(url);
}

/** XEP-0234 / XEP-0446 <file/> metadata. */
function metadata(file: Element | undefined): Pick<Attachment, 'name' | 'size' | 'type' | 'hashes'> {
  if (!file) return { hashes: [] };
  const size = Number(file.getChildText('size'));
  return {
    name: file.getChildText('name')?.trim() || undefined,
    size: Number.isSafeInteger(size) && size >= 0 ? size : undefined,
    type: file.getChildText('media-type')?.trim() || undefined,
    hashes: file.getChildren('hash', NS_HASHES).map((h) => ({ algo: h.attrs.algo ?? '', value: h.getText().trim() })),
  };
}

/** The first body without xml:lang (or the first body): the one offsets refer to. */
export function mainBody(stanza: Element): Element | undefined {
  const bodies = stanza.getChildren('body').filter((b) => b.getNS() === stanza.getNS() || b.attrs.xmlns === undefined);
  return bodies.find((b) => b.attrs['xml:lang'] === undefined) ?? bodies[0];
}

export function extractAttachments(stanza: Element): Attachment[] {
  const found = new Map<string, Attachment>();
  const add = (url: string, via: Attachment['via'][number], meta: Partial<Attachment> = {}) => {
    const u = url.trim();
    if (!isFetchable(u)) return;
    const a = found.get(u) ?? { url: u, hashes: [], via: [] };
    a.name ??= meta.name;
    a.size ??= meta.size;
    a.type ??= meta.type;
    for (const h of meta.hashes ?? []) if (!a.hashes.some((x) => x.algo === h.algo && x.value === h.value)) a.hashes.push(h);
    if (!a.via.includes(via)) a.via.push(via);
    found.set(u, a);
  };
  for (const x of stanza.getChildren('x', NS_OOB)) {
    const url = x.getChildText('url');
    if (url) add(url, 'oob');
  }
  for (const ref of stanza.getChildren('reference', NS_REFERENCE)) {
    const ms = ref.getChild('media-sharing', NS_SIMS);
    if (!ms) continue;
    const meta = metadata(ms.getChild('file', NS_JINGLE_FT));
    for (const src of ms.getChild('sources')?.getChildren('reference', NS_REFERENCE) ?? []) if (src.attrs.uri) add(src.attrs.uri, 'sims', meta);
  }
  for (const fs of stanza.getChildren('file-sharing', NS_SFS)) {
    const meta = metadata(fs.getChild('file', NS_FILE_METADATA));
    for (const src of fs.getChild('sources', NS_SFS)?.getChildren('url-data', NS_URL_DATA) ?? []) if (src.attrs.target) add(src.attrs.target, 'sfs', meta);
  }
  // XEP-0447 §3.3: sources attached to an earlier sharing.
  for (const sources of stanza.getChildren('sources', NS_SFS)) {
    for (const src of sources.getChildren('url-data', NS_URL_DATA)) if (src.attrs.target) add(src.attrs.target, 'sfs');
  }
  const body = mainBody(stanza)?.getText().trim();
  if (body && !/\s/.test(body)) add(body, 'body');
  return [...found.values()];
}

/** URLs in free text (for body_links = defang). */
export function bodyLinks(text: string): string[] {
  return [...new Set(text.match(/\bhttps?:\/\/[^\s<>"]+/gi) ?? [])];
}

/** OMEMO (XEP-0384, legacy and :2) and OpenPGP for XMPP (XEP-0373) hide any URL from the server. */
export function isEncrypted(stanza: Element): boolean {
  return stanza.getChildElements().some((c) => {
    const ns = c.getNS() ?? '';
    return (c.name === 'encrypted' && (ns === 'eu.siacs.conversations.axolotl' || ns === 'urn:xmpp:omemo:2')) || (c.name === 'openpgp' && ns === 'urn:xmpp:openpgp:0');
  });
}

/** A name for the stored file: the metadata's, else the URL's last path segment. */
export function nameFor(a: Attachment): string {
  if (a.name) return a.name;
  try {
    const seg = new URL(a.url).pathname.split('/').filter(Boolean).pop();
    return seg ? decodeURIComponent(seg) : 'file';
  } catch {
    return 'file';
  }
}
