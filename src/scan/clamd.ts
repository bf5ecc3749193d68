// A small clamd client for the INSTREAM command (clamd(8), "INSTREAM"): the bytes go over the
// socket in chunks, each prefixed by its length as a 4-byte big-endian integer, ended by a zero
// length; clamd answers one NUL-terminated line: "stream: OK", "stream: <signature> FOUND", or an
// error such as "INSTREAM size limit exceeded. ERROR". The z-prefixed form uses NUL delimiters.
// One connection per scan; at most `concurrency` scans run at once (the rest wait in order).
import { createReadStream } from 'node:fs';
import { connect, type Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { Scanner, ScanVerdict } from './types.ts';

export interface ClamdOptions {
  /** "host:port" of clamd's TCPSocket, or a Unix socket path (LocalSocket) starting with '/'. */
  address: string;
  /** Whole-scan deadline in ms (connect, send, verdict). */
  timeoutMs?: number;
  concurrency?: number;
  chunkBytes?: number;
}

/** Wait until the socket can take more (or is gone), leaving no listener behind. */
function drained(sock: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      sock.off('drain', done);
      sock.off('close', done);
      resolve();
    };
    sock.on('drain', done);
    sock.on('close', done);
  });
}

/** Parse clamd's reply line to INSTREAM. */
export function parseClamdReply(reply: string): ScanVerdict {
  const line = reply.replace(/\0+$/, '').trim();
  if (line === 'stream: OK') return { status: 'clean' };
  const found = /^stream: (.+) FOUND$/.exec(line);
  if (found) return { status: 'infected', signature: found[1] };
  return { status: 'error', reason: line || 'empty reply from clamd' };
}

export class ClamdScanner implements Scanner {
  private running = 0;
  private waiting: Array<() => void> = [];
  private readonly timeoutMs: number;
  private readonly concurrency: number;
  private readonly chunkBytes: number;

  constructor(private readonly opts: ClamdOptions) {
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.concurrency = opts.concurrency ?? 4;
    this.chunkBytes = opts.chunkBytes ?? 64 * 1024;
  }

  private socket(): Socket {
    const a = this.opts.address;
    if (a.startsWith('/')) return connect({ path: a });
    const i = a.lastIndexOf(':');
    return connect({ host: a.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(a.slice(i + 1)) });
  }

  private async slot<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) await new Promise<void>((r) => this.waiting.push(r));
    this.running++;
    try {
      return await fn();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  scanFile(path: string): Promise<ScanVerdict> {
    return this.scan(createReadStream(path, { highWaterMark: this.chunkBytes }));
  }

  scan(source: Readable | AsyncIterable<Buffer | Uint8Array>): Promise<ScanVerdict> {
    return this.slot(() => this.scanNow(source));
  }

  private scanNow(source: Readable | AsyncIterable<Buffer | Uint8Array>): Promise<ScanVerdict> {
    return new Promise<ScanVerdict>((resolve) => {
      const sock = this.socket();
      let reply = '';
      let settled = false;
      const finish = (v: ScanVerdict) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        sock.destroy();
        if ('destroy' in source && typeof source.destroy === 'function') source.destroy();
        resolve(v);
      };
      const timer = setTimeout(() => finish({ status: 'error', reason: `clamd gave no verdict within ${this.timeoutMs} ms` }), this.timeoutMs);
      sock.setEncoding('latin1');
      sock.on('data', (d: string) => {
        reply += d;
        // The reply ends with NUL; clamd may answer before we finish (size limit): stop sending then.
        if (reply.includes('\0')) finish(parseClamdReply(reply));
      });
      sock.on('end', () => finish(parseClamdReply(reply)));
      sock.on('error', (e) => finish({ status: 'error', reason: `clamd ${this.opts.address}: ${(e as NodeJS.ErrnoException).code ?? e.message}` }));
      sock.once('connect', async () => {
        try {
          sock.write('zINSTREAM\0');
          for await (const chunk of source as AsyncIterable<Buffer | Uint8Array>) {
            if (settled) return;
            for (let off = 0; off < chunk.length; off += this.chunkBytes) {
              const part = chunk.subarray(off, off + this.chunkBytes);
              const len = Buffer.alloc(4);
              len.writeUInt32BE(part.length);
              sock.write(len);
              // Back-pressure: wait for the socket to drain rather than buffering a whole file.
              if (!sock.write(part)) await drained(sock);
              if (settled) return;
            }
          }
          sock.write(Buffer.alloc(4));
        } catch (e) {
          finish({ status: 'error', reason: `reading the data to scan failed: ${(e as Error).message}` });
        }
      });
    });
  }

  ping(): Promise<boolean> {
    return new Promise((resolve) => {
      const sock = this.socket();
      let reply = '';
      const done = (ok: boolean) => {
        clearTimeout(timer);
        sock.destroy();
        resolve(ok);
      };
      const timer = setTimeout(() => done(false), Math.min(this.timeoutMs, 5000));
      sock.setEncoding('latin1');
      sock.on('data', (d: string) => {
        reply += d;
        if (reply.includes('\0')) done(reply.startsWith('PONG'));
      });
      sock.on('error', () => done(false));
      sock.on('end', () => done(reply.startsWith('PONG')));
      sock.once('connect', () => sock.write('zPING\0'));
    });
  }
}
