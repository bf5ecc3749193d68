// The contract between a transport and the XML layer: bytes in, stream events out.
// Implementation notes and the choice of underlying parser live in parser.ts.
import type { Element } from './element.ts';

/** Stream-level error conditions the parser can raise (RFC 6120 §4.9.3). */
export type ParserErrorCondition = 'not-well-formed' | 'restricted-xml' | 'policy-violation' | 'bad-format' | 'unsupported-encoding';

export class XmlParseError extends Error {
  constructor(public readonly condition: ParserErrorCondition, message: string) {
    super(message);
  }
}

export interface StreamParserEvents {
  /** `<stream:stream ...>` (or a WebSocket `<open/>` when framing = 'websocket') opened. attrs are raw attributes incl. xmlns declarations. */
  onStreamStart(name: string, attrs: Record<string, string>): void;
  /** A complete top-level child of the stream (stanza or nonza), detached, with its namespace explicit in attrs.xmlns. */
  onStanza(el: Element): void;
  /** `</stream:stream>` received. */
  onStreamEnd(): void;
  /** Any violation: the caller sends the stream error and closes. After this no more events fire. */
  onError(err: XmlParseError): void;
}

export interface StreamParser {
  /** Feed bytes (UTF-8). May fire any number of events synchronously. */
  write(chunk: Buffer | string): void;
  /** No more input. */
  end(): void;
}
