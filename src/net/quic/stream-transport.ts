// One QUIC bidirectional stream as a Parley Transport (XEP-0467: each bidi stream carries one XML
// stream). TLS 1.3 is part of QUIC, so the stream is secure from the first byte and STARTTLS is
// never offered (XEP-0467 §2 rule 3). Reads run under an AsyncLocalStorage context naming this
// transport, so stream-feature providers and nonza handlers can tell a QUIC stream apart
// (see quic-context.ts) without the generic C2S stream knowing about QUIC.
import { randomBytes } from 'node:crypto';
import type { QUICStream } from '@matrixai/quic';
import type { ChannelBindingType } from '../../sasl/index.ts';
import type { Transport } from '../transport.ts';
import { quicContext, type QuicStreamInfo } from './quic-context.ts';

/** Above this many unacknowledged bytes write() reports back-pressure. */
const WRITE_HIGH_WATER = 256 * 1024;

export interface SniffedStart {
  prefix: Buffer[];
  reader: ReadableStreamDefaultReader<Uint8Array>;
  inFlight?: Promise<ReadableStreamReadResult<Uint8Array>>;
}

export class QuicStreamTransport implements Transport {
  readonly id = randomBytes(6).toString('hex');
  readonly framing = 'stream' as const;
  readonly secure = true;
  readonly canStartTls = false;
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  private reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  private dataCb: (chunk: Buffer) => void = () => {};
  private closeCbs: Array<(reason: string) => void> = [];
  private closed = false;
  private queued = 0;
  private paused = false;
  private resumeWaiter: (() => void) | null = null;
  private pending: Buffer[];

  constructor(
    private readonly stream: QUICStream,
    readonly listener: string,
    readonly remoteAddress: string,
    /** What the QUIC layer knows about this stream, visible to handlers through quicContext. */
    readonly info: QuicStreamInfo,
    /** What the sniffer already read: bytes delivered first, the reader it holds, a read in flight. */
    sniffed: SniffedStart,
  ) {
    this.writer = stream.writable.getWriter();
    this.pending = sniffed.prefix;
    this.reader = sniffed.reader;
    this.inFlight = sniffed.inFlight;
    info.transport = this;
  }
  private inFlight: Promise<ReadableStreamReadResult<Uint8Array>> | undefined;

  /** Start delivering data; called once the C2S stream has registered onData. */
  private started = false;
  private start(): void {
    if (this.started) return;
    this.started = true;
    queueMicrotask(() => void this.readLoop());
  }

  private async readLoop(): Promise<void> {
    try {
      for (const b of this.pending.splice(0)) this.deliver(b);
      const reader = this.reader!;
      for (;;) {
        if (this.paused) await new Promise<void>((r) => (this.resumeWaiter = r));
        if (this.closed) return;
        const next = this.inFlight ?? reader.read();
        this.inFlight = undefined;
        const { value, done } = await next;
        if (done) return this.finish('stream ended by peer');
        this.deliver(Buffer.from(value));
      }
    } catch (e) {
      this.finish(`quic stream error: ${(e as Error).message ?? e}`);
    }
  }

  private deliver(b: Buffer): void {
    if (this.closed) return;
    quicContext.run(this.info, () => this.dataCb(b));
  }

  private finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.resumeWaiter?.();
    for (const cb of this.closeCbs) cb(reason);
    this.reader?.cancel().catch(() => {});
    this.writer.abort().catch(() => {});
  }

  get isClosed(): boolean {
    return this.closed;
  }

  write(data: string): boolean {
    if (this.closed || data.length === 0) return true;
    const bytes = Buffer.from(data);
    this.queued += bytes.length;
    this.writer.write(bytes).then(
      () => (this.queued -= bytes.length),
      (e) => this.finish(`quic write failed: ${(e as Error)?.message ?? e}`),
    );
    return this.queued < WRITE_HIGH_WATER;
  }
  bufferedBytes(): number {
    return this.queued;
  }
  startTls(): Promise<void> {
    return Promise.reject(new Error('STARTTLS MUST NOT be used over QUIC (XEP-0467)'));
  }
  channelBindingTypes(): ChannelBindingType[] {
    return [];
  }
  channelBinding(): Buffer | null {
    return null;
  }
  pauseReading(): void {
    this.paused = true;
  }
  resumeReading(): void {
    this.paused = false;
    const w = this.resumeWaiter;
    this.resumeWaiter = null;
    w?.();
  }
  onData(cb: (chunk: Buffer) => void): void {
    this.dataCb = cb;
    this.start();
  }
  onClose(cb: (reason: string) => void): void {
    this.closeCbs.push(cb);
  }
  end(): void {
    if (this.closed) return;
    this.writer.close().catch(() => {});
    setTimeout(() => this.finish('closed by server'), 2000).unref();
  }
  destroy(): void {
    this.finish('destroyed by server');
  }
}
