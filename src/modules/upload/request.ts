// XEP-0363 §4 slot requests, parsed and checked without I/O: filename, size, content-type and
// the upload purpose (§5.x, urn:xmpp:http:upload:purpose:0). Errors are the StanzaErrors §6 names.
import { xml, type Element } from '../../xml/element.ts';
import { StanzaError } from '../../stanza/errors.ts';

export const NS_UPLOAD = 'urn:xmpp:http:upload:0';
export const NS_PURPOSE = 'urn:xmpp:http:upload:purpose:0';

export type Purpose = 'message' | 'profile' | 'ephemeral' | 'permanent';

export interface SlotRequest {
  name: string;
  size: number;
  /** Lowercased media type with its parameters as sent; undefined when the client named none. */
  type?: string;
  purpose: Purpose;
  /** Ephemeral purpose: the file must not be served from this time on (ms). */
  expireBefore?: number;
}

export interface RequestLimits {
  maxSize: Record<Purpose, number>;
  permanentEnabled: boolean;
  deniedTypes: string[];
  now: number;
}

/** XEP-0363 §6: not-acceptable with <file-too-large><max-file-size/></file-too-large>. */
export function fileTooLarge(max: number): StanzaError {
  return new StanzaError('not-acceptable', `File too large. The maximum file size is ${max} bytes`, 'modify',
    xml('file-too-large', { xmlns: NS_UPLOAD }, xml('max-file-size', {}, String(max))));
}

/** XEP-0363 §6: a temporary limit (quota, rate) with the UTC time to try again (XEP-0082). */
export function retryLater(text: string, at: number): StanzaError {
  return new StanzaError('resource-constraint', text, 'wait', xml('retry', { xmlns: NS_UPLOAD, stamp: xep82(at) }));
}

export function xep82(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * A filename safe to store and to put in a URL path segment and a Content-Disposition: path
 * separators, control characters and leading dots go, the extension stays. Null when nothing is left.
 */
export function sanitizeFilename(raw: string): string | null {
  // eslint-disable-next-line no-control-regex
  let s = raw.replace(/[/\\\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '').replace(/^[.\s]+/, '').trim();
  if (s.length === 0 || /^[.\s]*$/.test(s)) return null;
  // Bidi overrides could disguise the extension (report‮fdp.exe); drop them.
  s = s.replace(/[\u202a-\u202e\u2066-\u2069]/g, '');
  return s.length ? s : null;
}

/** RFC 9110 §8.3.1 media-type: type "/" subtype *( OWS ";" OWS parameter ). */
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}(\\s*;\\s*${TOKEN}=(${TOKEN}|"[^"\\\\]*"))*$`);

export function essence(type: string): string {
  return type.split(';')[0].trim().toLowerCase();
}

export function parseSlotRequest(req: Element, limits: RequestLimits): SlotRequest {
  const rawName = req.attrs.filename;
  if (rawName === undefined || rawName.length === 0) throw new StanzaError('bad-request', 'filename is required');
  if (Buffer.byteLength(rawName, 'utf8') > 255) throw new StanzaError('bad-request', 'filename is longer than 255 bytes');
  const name = sanitizeFilename(rawName);
  if (!name) throw new StanzaError('bad-request', 'filename has no usable characters');

  const sizeAttr = req.attrs.size ?? '';
  if (!/^[1-9][0-9]{0,15}$/.test(sizeAttr)) throw new StanzaError('bad-request', 'size must be a positive integer');
  const size = Number(sizeAttr);

  let type: string | undefined;
  const ct = req.attrs['content-type'];
  if (ct !== undefined && ct.trim() !== '') {
    if (!MEDIA_TYPE.test(ct.trim())) throw new StanzaError('bad-request', 'content-type is not a media type');
    type = ct.trim().replace(/^[^;]+/, (t) => t.toLowerCase());
    if (limits.deniedTypes.includes(essence(type))) throw new StanzaError('not-acceptable', `Files of type ${essence(type)} are not accepted`);
  }

  // §5: no purpose (or one we do not know) means 'message'.
  let purpose: Purpose = 'message';
  let expireBefore: number | undefined;
  for (const child of req.getChildElements()) {
    if (child.getNS() !== NS_PURPOSE) continue;
    if (child.name === 'profile') purpose = 'profile';
    else if (child.name === 'permanent' && limits.permanentEnabled) purpose = 'permanent';
    else if (child.name === 'ephemeral') {
      const stamp = child.attrs['expire-before'] ?? '';
      // XEP-0082 DateTime in UTC.
      const t = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(stamp) ? Date.parse(stamp) : NaN;
      if (!Number.isFinite(t) || t <= limits.now) throw new StanzaError('bad-request', 'ephemeral needs an expire-before UTC time in the future');
      purpose = 'ephemeral';
      expireBefore = t;
    }
    break;
  }
  const max = limits.maxSize[purpose];
  if (size > max) throw fileTooLarge(max);
  return { name, size, type, purpose, expireBefore };
}

/** XEP-0363 §4 slot: the PUT URL with the header the client must send, and the GET URL. */
export function slotElement(putUrl: string, getUrl: string, authorization: string): Element {
  return xml('slot', { xmlns: NS_UPLOAD },
    xml('put', { url: putUrl }, xml('header', { name: 'Authorization' }, authorization)),
    xml('get', { url: getUrl }));
}
