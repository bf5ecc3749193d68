// An XML stream over a transport (TCP/TLS or one QUIC stream), shared by s2s (both directions)
// and components: parser (re)creation on restart, header/element writes, stream errors and closing.
import type { PeerCertInfo } from '../net/tcp-transport.ts';
import type { Transport } from '../net/transport.ts';
import { createStreamParser } from '../xml/parser.ts';
import type { StreamParser } from '../xml/stream-parser.ts';
import type { Element } from '../xml/element.ts';
import { NS } from '../xml/namespaces.ts';
import { escapeAttr } from '../xml/escape.ts';
import type { Config } from '../config/schema.ts';
import { streamErrorXml, type StreamErrorCondition } from '../stream/framing.ts';
import { NS_DB } from './dialback.ts';

/** What s2s needs from a transport: bytes both ways, plus what the peer's certificate proved. */
export type S2STransport = Transport & { peerCertificate(): PeerCertInfo };

export interface XmlConnEvents {
  onHeader(attrs: Record<string, string>, name: string): void;
  onElement(el: Element): void | Promise<void>;
  onClosed(reason: string): void;
  /** Bytes arrived (before parsing), for byte-rate limits. */
  onBytes?(n: number): void;
}

export class XmlConn {
  private parser!: StreamParser;
  private closed = false;
  private inbound: Promise<void> = Promise.resolve();
  lastActivity = Date.now();

  constructor(readonly transport: S2STransport, private readonly limits: Config['limits'], private readonly events: XmlConnEvents, private readonly onError: (e: unknown) => void) {
    this.restart();
    transport.onData((chunk) => {
      this.lastActivity = Date.now();
      events.onBytes?.(chunk.length);
      this.parser.write(chunk);
    });
    transport.onClose((reason) => {
      this.closed = true;
      events.onClosed(reason);
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  restart(): void {
    const l = this.limits;
    this.parser = createStreamParser(
      {
        onStreamStart: (name, attrs) => this.run(() => this.events.onHeader(attrs, name)),
        onStanza: (el) => {
          this.inbound = this.inbound.then(() => this.events.onElement(el)).catch((e) => this.onError(e));
        },
        onStreamEnd: () => this.close(),
        onError: (err) => this.streamError(err.condition, err.message),
      },
      { maxStanzaBytes: l.max_stanza_size, maxDepth: l.max_depth, maxAttributes: l.max_attributes, maxAttributeLength: l.max_attribute_length },
    );
  }

  private run(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.onError(e);
    }
  }

  /** Our stream header (jabber:server with the dialback prefix, or another content namespace). */
  sendHeader(attrs: { from?: string; to?: string; id?: string; ns?: string; version?: boolean }): void {
    const ns = attrs.ns ?? NS.server;
    const a = [`xmlns="${ns}"`, `xmlns:stream="${NS.stream}"`];
    if (ns === NS.server) a.push(`xmlns:db="${NS_DB}"`);
    if (attrs.from) a.push(`from="${escapeAttr(attrs.from)}"`);
    if (attrs.to) a.push(`to="${escapeAttr(attrs.to)}"`);
    if (attrs.id !== undefined) a.push(`id="${attrs.id}"`);
    if (attrs.version !== false) a.push('version="1.0"');
    this.write(`<?xml version='1.0'?><stream:stream ${a.join(' ')}>`);
  }

  write(data: string | Element): void {
    if (this.closed) return;
    this.lastActivity = Date.now();
    this.transport.write(typeof data === 'string' ? data : data.toString());
  }

  streamError(condition: StreamErrorCondition, text?: string): void {
    if (this.closed) return;
    this.write(streamErrorXml(condition, text) + '</stream:stream>');
    this.closed = true;
    this.transport.end();
  }

  close(): void {
    if (this.closed) return;
    this.write('</stream:stream>');
    this.closed = true;
    this.transport.end();
  }
}
