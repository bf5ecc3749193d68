// Parse one complete XML element from a string (stored stanzas, private XML, vCards) with the same
// hardened parser the streams use, so stored data obeys the same rules as data on the wire.
// Unprefixed elements without an xmlns are taken as jabber:client (RFC 7395 §3.3.3 framing).
import { Element } from './element.ts';
import { defaultXmlLimits, type XmlLimits } from './limits.ts';
import { createStreamParser } from './parser.ts';

/** The element, or null when the text is not exactly one well-formed element. */
export function parseElement(text: string, limits: XmlLimits = { ...defaultXmlLimits, maxStanzaBytes: Math.max(defaultXmlLimits.maxStanzaBytes, Buffer.byteLength(text) + 1) }): Element | null {
  let result: Element | null = null;
  let count = 0;
  let failed = false;
  const parser = createStreamParser(
    {
      onStreamStart: () => {
        failed = true;
      },
      onStanza: (el) => {
        count++;
        result = el;
      },
      onStreamEnd: () => {
        failed = true;
      },
      onError: () => {
        failed = true;
      },
    },
    limits,
    { framing: 'websocket' },
  );
  parser.write(text);
  parser.end();
  return failed || count !== 1 ? null : result;
}
