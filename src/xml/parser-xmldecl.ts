// The XML declaration (XML 1.0 §2.8): the only `<?...?>` XMPP lets through, and only at the very
// start of a stream (RFC 6120 §11.1 forbids processing instructions); it must say UTF-8 if it
// names an encoding at all (RFC 6120 §11.6).
import { XmlParseError } from './stream-parser.ts';

/** A declaration is short; anything longer at the start of a stream is not one. */
export const MAX_XML_DECL = 256;

const S = '[ \\t\\r\\n]';
const XML_DECL = new RegExp(
  `^xml${S}+version${S}*=${S}*(?:'1\\.[0-9]+'|"1\\.[0-9]+")` +
    `(?:${S}+encoding${S}*=${S}*(?:'([A-Za-z][A-Za-z0-9._-]*)'|"([A-Za-z][A-Za-z0-9._-]*)"))?` +
    `(?:${S}+standalone${S}*=${S}*(?:'(?:yes|no)'|"(?:yes|no)"))?${S}*$`,
);

/**
 * Refuses, as soon as it is clear, a `<?` that is some other processing instruction. `soFar` is
 * what follows `<?` up to now; `complete` says it already ends with `?>`.
 */
export function checkTarget(soFar: string, complete: boolean): void {
  if ((complete || soFar.length >= 4) && !/^xml[ \t\r\n]/.test(soFar)) {
    throw new XmlParseError('restricted-xml', 'processing instructions are not allowed (RFC 6120 §11.1)');
  }
}

/** Checks a whole declaration; `body` is what sits between `<?` and `?>`. */
export function checkXmlDeclaration(body: string): void {
  const m = XML_DECL.exec(body);
  if (!m) throw new XmlParseError('not-well-formed', 'malformed XML declaration');
  const encoding = m[1] ?? m[2];
  if (encoding !== undefined && encoding.toLowerCase() !== 'utf-8') {
    throw new XmlParseError('unsupported-encoding', `encoding ${JSON.stringify(encoding)} is not UTF-8 (RFC 6120 §11.6)`);
  }
}
