// A minimal Chrome DevTools Protocol client for a server child process: activates the inspector
// with SIGUSR1 (the child runs with NODE_OPTIONS=--inspect-port=127.0.0.1:0, so a free port is
// picked and printed on stderr), then forces a full GC, reads process.memoryUsage() and streams
// heap snapshots to a file. Used by bench/memory-per-conn.ts only.
import { createWriteStream } from 'node:fs';
import WebSocket from 'ws';
import { sleep } from '../compare/peers/proc.ts';

export interface MemoryUsage {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

export class Inspector {
  private nextId = 1;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private chunkSink: ((chunk: string) => void) | null = null;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string }; method?: string; params?: { chunk: string } };
      if (msg.id !== undefined) {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (msg.error) p?.reject(new Error(msg.error.message));
        else p?.resolve(msg.result);
      } else if (msg.method === 'HeapProfiler.addHeapSnapshotChunk') this.chunkSink?.(msg.params!.chunk);
    });
  }

  /** Send SIGUSR1 to pid and connect to the inspector URL it prints (read through logTail()). */
  static async attach(pid: number, logTail: () => string): Promise<Inspector> {
    // The log may still hold the URL of an earlier process: wait for a new one.
    const last = () => [...logTail().matchAll(/Debugger listening on (ws:\/\/\S+)/g)].pop()?.[1];
    const old = last();
    process.kill(pid, 'SIGUSR1');
    const deadline = Date.now() + 10_000;
    let url: string | undefined;
    while ((url = last()) === undefined || url === old) {
      if (Date.now() > deadline) throw new Error(`no inspector URL from pid ${pid}:\n${logTail().slice(-2000)}`);
      await sleep(100);
    }
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 1 << 30 });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new Inspector(ws);
  }

  call<T = unknown>(method: string, params: object = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  async gc(): Promise<void> {
    // Twice: the first pass runs finalizers (weak callbacks) whose memory the second one frees.
    await this.call('HeapProfiler.collectGarbage');
    await this.call('HeapProfiler.collectGarbage');
  }

  async memoryUsage(): Promise<MemoryUsage> {
    const r = await this.call<{ result: { value: string } }>('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true });
    return JSON.parse(r.result.value) as MemoryUsage;
  }

  /** Write a .heapsnapshot (takeHeapSnapshot runs a full GC first). */
  async heapSnapshot(path: string): Promise<void> {
    const out = createWriteStream(path);
    this.chunkSink = (c) => out.write(c);
    try {
      await this.call('HeapProfiler.enable');
      await this.call('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
    } finally {
      this.chunkSink = null;
      await new Promise<void>((r) => out.end(r));
    }
  }

  close(): void {
    this.ws.close();
  }
}
