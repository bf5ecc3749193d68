// Parse one XML element with the server's own streaming parser, so unit tests see elements the
// way the server does (namespaces resolved as on the wire, jabber:client default).
import { createStreamParser } from '../../src/xml/parser.ts';
import type { Element } from '../../src/xml/element.ts';

export function parseXml(text: string): Element {
  let out: Element | undefined;
  let error: unknown;
  const p = createStreamParser(
    { onStreamStart: () => {}, onStanza: (e) => (out = e), onStreamEnd: () => {}, onError: (e) => (error = e) },
    { maxStanzaBytes: 1 << 20, maxDepth: 64, maxAttributes: 64, maxAttributeLength: 65536 },
    { framing: 'stream' },
  );
  p.write(`<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>${text}`);
  if (error) throw error;
  if (!out) throw new Error(`no element parsed from ${text}`);
  return out;
}
