// Rewrite a pulled message so the recipient never sees the remote URL: every occurrence (OOB,
// SIMS/SFS sources, body text, XHTML-IM, any other text or attribute) becomes the local URL, or
// for a withheld file the sharing elements go and the body says why. Offsets into the body
// (XEP-0372 references, XEP-0428 fallback, XEP-0394 markup) are recomputed in code points. Pure.
import { xml, type Element } from '../../xml/element.ts';
import { NS_FILE_METADATA, NS_JINGLE_FT, NS_OOB, NS_REFERENCE, NS_SFS, NS_SIMS, NS_URL_DATA, isFetchable, mainBody } from './extract.ts';

export const NS_PULL = 'urn:parley:file-pull:0';
const NS_FALLBACK = 'urn:xmpp:fallback:0';
const NS_MARKUP = 'urn:xmpp:markup:0';
const NS_XHTML_IM = 'http://jabber.org/protocol/xhtml-im';
const OFFSET_NS = new Set([NS_REFERENCE, NS_FALLBACK, NS_MARKUP]);

export type Outcome =
  | { status: 'clean' | 'unscanned'; url: string; localUrl: string; name: string; sha256: string; original?: string }
  | { status: 'infected' | 'failed' | 'unchecked' | 'withheld'; url: string; notice: string; name: string; sha256?: string; original?: string };

/** One replaced span: [start, end) in the old body and the new one, in code points. */
interface Span {
  oldStart: number;
  oldEnd: number;
  newStart: number;
  newEnd: number;
}

const cpLen = (s: string) => Array.from(s).length;

/** Replace every occurrence of each key (longest first) and say where, in code points. */
export function replaceAll(text: string, replacements: Map<string, string>): { text: string; spans: Span[] } {
  const keys = [...replacements.keys()].filter((k) => k.length > 0).sort((a, b) => b.length - a.length);
  let out = '';
  const spans: Span[] = [];
  let i = 0;
  let oldCp = 0;
  let newCp = 0;
  while (i < text.length) {
    const key = keys.find((k) => text.startsWith(k, i));
    if (key) {
      const rep = replacements.get(key)!;
      const ol = cpLen(key);
      const nl = cpLen(rep);
      spans.push({ oldStart: oldCp, oldEnd: oldCp + ol, newStart: newCp, newEnd: newCp + nl });
      out += rep;
      i += key.length;
      oldCp += ol;
      newCp += nl;
      continue;
    }
    const ch = String.fromCodePoint(text.codePointAt(i)!);
    out += ch;
    i += ch.length;
    oldCp++;
    newCp++;
  }
  return { text: out, spans };
}

/** Map an offset of the old body to the new one; an offset inside a replaced span snaps to its edge. */
export function mapOffset(o: number, spans: Span[], isEnd: boolean): number {
  let delta = 0;
  for (const s of spans) {
    if (o <= s.oldStart) break;
    if (o < s.oldEnd || (isEnd && o === s.oldEnd)) return isEnd ? s.newEnd : s.newStart;
    delta = s.newEnd - s.oldEnd;
  }
  return o + delta;
}

function walk(e: Element, fn: (el: Element) => void): void {
  fn(e);
  for (const c of e.getChildElements()) walk(c, fn);
}

function replaceInTree(e: Element, reps: Map<string, string>, skip: (el: Element) => boolean): void {
  if (skip(e)) return;
  for (const [k, v] of Object.entries(e.attrs)) {
    if (k === 'xmlns' || k.startsWith('xmlns:')) continue;
    e.attrs[k] = replaceAll(v, reps).text;
  }
  e.children = e.children.map((c) => (typeof c === 'string' ? replaceAll(c, reps).text : c));
  for (const c of e.getChildElements()) replaceInTree(c, reps, skip);
}

export function rewriteMessage(stanza: Element, outcomes: Outcome[], opts: { dropNonHttp: boolean }): void {
  const byUrl = new Map(outcomes.map((o) => [o.url, o]));
  const withheld = (u: string | undefined) => {
    const o = u === undefined ? undefined : byUrl.get(u.trim());
    return o !== undefined && !('localUrl' in o);
  };

  // Structure: sharing elements of withheld files go; non-HTTP sources go (they reach outside too).
  stanza.removeChildren((c) => c.is('x', NS_OOB) && withheld(c.getChildText('url')));
  stanza.removeChildren((c) => {
    const ms = c.is('reference', NS_REFERENCE) ? c.getChild('media-sharing', NS_SIMS) : undefined;
    if (!ms) return false;
    const sources = ms.getChild('sources');
    if (sources?.getChildren('reference', NS_REFERENCE).some((s) => withheld(s.attrs.uri))) return true;
    if (opts.dropNonHttp) sources?.removeChildren((s) => s.is('reference', NS_REFERENCE) && !isFetchable(s.attrs.uri ?? ''));
    return false;
  });
  const sfsSources = (s: Element | undefined) => s?.getChildren('url-data', NS_URL_DATA).some((u) => withheld(u.attrs.target)) ?? false;
  stanza.removeChildren((c) => (c.is('file-sharing', NS_SFS) && sfsSources(c.getChild('sources', NS_SFS))) || (c.is('sources', NS_SFS) && sfsSources(c)));
  if (opts.dropNonHttp) {
    for (const c of stanza.getChildElements()) {
      const sources = c.is('file-sharing', NS_SFS) ? c.getChild('sources', NS_SFS) : c.is('sources', NS_SFS) ? c : undefined;
      sources?.removeChildren((s) => s.name === 'jinglepub');
    }
  }
  if (outcomes.some((o) => !('localUrl' in o))) stanza.removeChildren((c) => c.is('html', NS_XHTML_IM));

  const reps = new Map(outcomes.map((o) => [o.url, 'localUrl' in o ? o.localUrl : o.notice]));
  // The body, with every offset that points into it.
  const body = mainBody(stanza);
  if (body) {
    const { text, spans } = replaceAll(body.getText(), reps);
    if (spans.length) {
      body.children = [text];
      for (const c of stanza.getChildElements()) {
        if (!OFFSET_NS.has(c.getNS() ?? '')) continue;
        walk(c, (el) => {
          for (const [attr, isEnd] of [['begin', false], ['start', false], ['end', true]] as const) {
            const v = el.attrs[attr];
            if (v !== undefined && /^\d+$/.test(v)) el.attrs[attr] = String(mapOffset(Number(v), spans, isEnd));
          }
        });
      }
    }
  }
  // Everywhere else (other bodies, OOB, sources, XHTML-IM, unknown extensions).
  replaceInTree(stanza, reps, (el) => el === body || el.is('pulled', NS_PULL));

  for (const o of outcomes) {
    const marker = xml('pulled', { xmlns: NS_PULL, status: o.status, name: o.name, sha256: o.sha256 });
    if (o.original) marker.append(xml('original', { url: o.original }));
    stanza.append(marker);
  }
}

/** Metadata elements whose hashes describe the file (kept: the bytes are unchanged). */
export const FILE_ELEMENTS = [NS_FILE_METADATA, NS_JINGLE_FT];

/** The notice that stands in the body for a withheld file. */
export function withheldNotice(name: string, domain: string, reason: string): string {
  return `[attachment "${name}" withheld by ${domain}: ${reason}]`;
}
