// Stream headers, stream errors and the closing tag, for both framings
// (RFC 6120 §4.2/§4.9 over TCP; RFC 7395 §3.3 over WebSocket).
import { escapeAttr, escapeText } from '../xml/escape.ts';
import { NS } from '../xml/namespaces.ts';

export type StreamErrorCondition =
  | 'bad-format' | 'bad-namespace-prefix' | 'conflict' | 'connection-timeout' | 'host-gone' | 'host-unknown'
  | 'improper-addressing' | 'internal-server-error' | 'invalid-from' | 'invalid-namespace' | 'invalid-xml'
  | 'not-authorized' | 'not-well-formed' | 'policy-violation' | 'remote-connection-failed' | 'reset'
  | 'resource-constraint' | 'restricted-xml' | 'see-other-host' | 'system-shutdown' | 'undefined-condition'
  | 'unsupported-encoding' | 'unsupported-feature' | 'unsupported-stanza-type' | 'unsupported-version';

export function streamHeader(framing: 'stream' | 'websocket', attrs: { id: string; from: string; to?: string; ns?: string }): string {
  const extra = `${attrs.to ? ` to="${escapeAttr(attrs.to)}"` : ''} id="${attrs.id}" from="${escapeAttr(attrs.from)}" version="1.0" xml:lang="en"`;
  if (framing === 'websocket') return `<open xmlns="${NS.framing}"${extra}/>`;
  return `<?xml version='1.0'?><stream:stream xmlns="${attrs.ns ?? NS.client}" xmlns:stream="${NS.stream}"${extra}>`;
}

export function streamClose(framing: 'stream' | 'websocket'): string {
  return framing === 'websocket' ? `<close xmlns="${NS.framing}"/>` : '</stream:stream>';
}

/** appCondition: serialized application-specific condition, after the text (RFC 6120 §4.9.2, §4.9.4), e.g. XEP-0198 <handled-count-too-high/>. */
export function streamErrorXml(condition: StreamErrorCondition, text?: string, appCondition?: string): string {
  const t = text ? `<text xmlns="${NS.streams}" xml:lang="en">${escapeText(text)}</text>` : '';
  return `<stream:error xmlns:stream="${NS.stream}"><${condition} xmlns="${NS.streams}"/>${t}${appCondition ?? ''}</stream:error>`;
}

/** Thrown inside stream handling to end the stream with this error. */
export class StreamError extends Error {
  constructor(
    public readonly condition: StreamErrorCondition,
    public readonly text?: string,
    /** Serialized application-specific condition element (RFC 6120 §4.9.4). */
    public readonly appCondition?: string,
  ) {
    super(text ?? condition);
  }
}
