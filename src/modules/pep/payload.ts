// Item payloads: XEP-0060 §7.1.3.5 "exactly one payload element", kept as self-contained XML text
// (every namespace it uses declared on its root) and read back with the hardened parser.
import { parseElement } from '../../xml/parse-element.ts';
import type { Element } from '../../xml/element.ts';
import { StanzaError } from '../../stanza/errors.ts';
import { pubsubError } from './access.ts';

/** The one payload of an <item/>; bad-request with the §7.1.3.5/§7.1.3.6 condition otherwise. */
export function payloadOf(item: Element): Element {
  const children = item.getChildElements();
  const stray = item.children.some((c) => typeof c === 'string' && c.trim() !== '');
  if (children.length === 0) throw pubsubError('bad-request', 'payload-required', 'An item needs a payload element');
  if (children.length > 1 || stray) throw pubsubError('bad-request', 'invalid-payload', 'An item carries exactly one payload element');
  return detach(children[0]);
}

/** A copy that declares on its root every prefix binding it inherited from the stanza around it. */
export function detach(el: Element): Element {
  const copy = el.clone();
  for (let p = el.parent; p; p = p.parent) {
    for (const [k, v] of Object.entries(p.attrs)) if (k.startsWith('xmlns:') && !(k in copy.attrs)) copy.attrs[k] = v;
  }
  return copy;
}

/** Parse stored payload text back into an element (we serialized it, so failure means corruption). */
export function parsePayload(text: string): Element {
  const el = parseElement(text);
  if (!el) throw new StanzaError('internal-server-error', 'A stored item could not be read');
  return el;
}
