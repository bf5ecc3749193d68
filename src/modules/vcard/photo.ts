// Pure vCard-temp helpers: the XEP-0153 photo hash and the presence <x/> that advertises it.
import { createHash } from 'node:crypto';
import { xml, type Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';

/**
 * XEP-0153 §3.2: the hex SHA-1 of the image data, i.e. of the decoded <PHOTO><BINVAL/>. null
 * when the vCard has no binary photo (none, an empty one, or only an <EXTVAL/> URL).
 */
export function photoHash(vcard: Element): string | null {
  const binval = vcard.getChild('PHOTO', NS.vcard)?.getChildText('BINVAL', NS.vcard);
  if (binval === undefined) return null;
  const compact = binval.replace(/\s+/g, '');
  if (compact === '' || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return null;
  const bytes = Buffer.from(compact, 'base64');
  return bytes.length === 0 ? null : createHash('sha1').update(bytes).digest('hex');
}

/** XEP-0153 §3.1: <x xmlns='vcard-temp:x:update'><photo>hash</photo></x>; an empty <photo/> means "no avatar". */
export function photoUpdate(hash: string | null): Element {
  return xml('x', { xmlns: NS.vcardUpdate }, xml('photo', {}, hash ?? undefined));
}

/** A vCard with no content: what an account without a vCard shows its owner, and how clients clear theirs. */
export function isEmptyVcard(vcard: Element): boolean {
  return vcard.getChildElements().length === 0 && vcard.getText().trim() === '';
}
