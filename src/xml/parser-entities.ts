// Entity and character references (XML 1.0 §4.1, §4.6). XMPP allows only the five predefined
// entities and character references: RFC 6120 §11.1 forbids internal or external entity
// references, which is what makes billion-laughs and external-entity attacks impossible here.
import { XmlParseError } from './stream-parser.ts';
import { isName, isXmlChar } from './parser-chars.ts';

/** Longest reference body we read before giving up: "#x10FFFF" is 8; leave room for leading zeros. */
export const MAX_ENTITY_LENGTH = 32;

const HEX = /^#x[0-9a-fA-F]+$/;
const DEC = /^#[0-9]+$/;

/** The text a reference stands for; `body` is what sits between '&' and ';'. */
export function resolveEntity(body: string): string {
  switch (body) {
    case 'lt':
      return '<';
    case 'gt':
      return '>';
    case 'amp':
      return '&';
    case 'quot':
      return '"';
    case 'apos':
      return "'";
  }
  if (body.charCodeAt(0) === 0x23 /* # */) {
    const cp = HEX.test(body) ? parseInt(body.slice(2), 16) : DEC.test(body) ? parseInt(body.slice(1), 10) : NaN;
    // XML 1.0 §4.1 WFC Legal Character: the referenced character must match Char.
    if (!isXmlChar(cp)) throw new XmlParseError('not-well-formed', `invalid character reference &${body};`);
    return String.fromCodePoint(cp);
  }
  if (isName(body)) throw new XmlParseError('restricted-xml', `entity reference &${body}; is not allowed (RFC 6120 §11.1)`);
  throw new XmlParseError('not-well-formed', `malformed entity reference &${body.slice(0, MAX_ENTITY_LENGTH)};`);
}
