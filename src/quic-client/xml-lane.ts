// One QUIC bidi stream of an XMPP-over-QUIC client: writes text, parses what arrives as an XML
// stream (header, then top-level elements) with Parley's own parser.
import type { QUICStream } from '@matrixai/quic';
import { createStreamParser } from '../xml/parser.ts';
import type { StreamParser } from '../xml/stream-parser.ts';
import type { Element } from '../xml/element.ts';
import type { WriteScheduler } from './write-scheduler.ts';

/** XML limits of what a client lane accepts from the server. */
export const LANE_LIMITS = { maxStanzaBytes: 1024 * 1024, maxDepth: 64, maxAttributes: 64, maxAttributeLength: 64 * 1024 };

export interface LaneHandlers {
  onElement(el: Element): void;
  onStreamStart?(attrs: Record<string, string>): void;
  onClose(reason: string): void;
}

/** The XML stream parser of a client lane (QUIC stream or TCP), reporting to its handlers. */
export function laneParser(handlers: LaneHandlers, finish: (reason: string) => void): StreamParser {
  return createStreamParser(
    {
      onStreamStart: (_n, attrs) => handlers.onStreamStart?.(attrs),
      onStanza: (el) => handlers.onElement(el),
      onStreamEnd: () => finish('stream closed by server'),
      onError: (e) => finish(`XML error: ${e.message}`),
    },
    LANE_LIMITS,
  );
}

export class XmlLane {
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  private parser!: StreamParser;
  private closed = false;
  private queued = 0;

  constructor(readonly stream: QUICStream, private readonly handlers: LaneHandlers, private readonly scheduler: WriteScheduler | null = null) {
    this.writer = stream.writable.getWriter();
    this.resetParser();
    void this.readLoop();
  }

  /** After SASL success both sides start a new XML stream on the same QUIC stream (RFC 6120 §6.4.6). */
  resetParser(): void {
    this.parser = laneParser(this.handlers, (reason) => this.finish(reason));
  }

  private async readLoop(): Promise<void> {
    const reader = this.stream.readable.getReader();
    try {
      while (!this.closed) {
        const r = await reader.read();
        if (r.done) return this.finish('stream ended');
        this.parser.write(Buffer.from(r.value));
      }
    } catch (e) {
      this.finish(`stream error: ${(e as Error)?.message ?? e}`);
    }
  }

  get bufferedBytes(): number {
    return this.queued;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  write(data: string): Promise<void> {
    if (this.closed) return Promise.resolve();
    const b = Buffer.from(data);
    this.queued += b.length;
    const written = this.scheduler ? this.scheduler.write(this, b) : this.rawWrite(b);
    return written.then(() => void (this.queued -= b.length));
  }

  /** ScheduledLane: straight to the QUIC stream. */
  rawWrite(b: Buffer): Promise<void> {
    if (this.closed) return Promise.resolve();
    return this.writer.write(b).then(
      () => {},
      (e) => this.finish(`write failed: ${(e as Error)?.message ?? e}`),
    );
  }

  close(): void {
    if (this.closed) return;
    void this.write('</stream:stream>');
    this.writer.close().catch(() => {});
  }

  finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.scheduler?.forget(this);
    this.handlers.onClose(reason);
  }
}

export function streamOpen(domain: string): string {
  return `<?xml version='1.0'?><stream:stream to="${domain}" xmlns="jabber:client" xmlns:stream="http://etherx.jabber.org/streams" version="1.0">`;
}
