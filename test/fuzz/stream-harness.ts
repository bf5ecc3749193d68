// Drives the real client stream state machine (src/stream/c2s.ts) in process over a fake
// transport, for fuzzing: header -> SASL PLAIN -> restart -> bind -> stanzas, with the bytes
// cut and mutated at will. A run fails when an exception escapes, a promise rejects unhandled,
// the server logs an internal error, or what the server wrote is not well-formed XML.
import { Writable } from 'node:stream';
import type { Transport } from '../../src/net/transport.ts';
import { C2SStream } from '../../src/stream/c2s.ts';
import type { C2SDeps } from '../../src/stream/c2s-deps.ts';
import { configSchema } from '../../src/config/schema.ts';
import { createLogger } from '../../src/observability/log.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { HookBus } from '../../src/hooks/bus.ts';
import type { HookEvents } from '../../src/hooks/events.ts';
import { Router } from '../../src/router/router.ts';
import { StreamFeatures } from '../../src/stream/features.ts';
import type { Accounts } from '../../src/accounts/index.ts';
import { createStreamParser } from '../../src/xml/parser.ts';
import { defaultXmlLimits } from '../../src/xml/limits.ts';

class FakeTransport implements Transport {
  readonly id = Math.random().toString(36).slice(2);
  readonly listener = 'fuzz';
  readonly remoteAddress = '127.0.0.9';
  readonly secure = true;
  readonly framing = 'stream' as const;
  readonly canStartTls = false;
  out: string[] = [];
  closed = false;
  private dataCb: ((c: Buffer | string) => void) | null = null;
  private closeCbs: ((r: string) => void)[] = [];
  write(data: string): boolean {
    if (!this.closed) this.out.push(data);
    return true;
  }
  bufferedBytes(): number {
    return 0;
  }
  async startTls(): Promise<void> {
    throw new Error('no TLS in the fuzz harness');
  }
  channelBinding(): Buffer | null {
    return null;
  }
  channelBindingTypes(): [] {
    return [];
  }
  pauseReading(): void {}
  resumeReading(): void {}
  onData(cb: (chunk: Buffer | string) => void): void {
    this.dataCb = cb;
  }
  onClose(cb: (reason: string) => void): void {
    this.closeCbs.push(cb);
  }
  feed(chunk: Buffer): void {
    if (!this.closed) this.dataCb?.(chunk);
  }
  end(): void {
    this.destroy();
  }
  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    for (const cb of this.closeCbs) cb('closed');
  }
}

const logLines: string[] = [];
const sink = new Writable({
  write(chunk, _enc, cb) {
    logLines.push(String(chunk));
    cb();
  },
});

let shared: C2SDeps | null = null;
function deps(): C2SDeps {
  if (shared) return shared;
  const config = configSchema.parse({ c2s: { require_encryption: false, stanza_rate: 1e6, stanza_burst: 1e6, byte_rate: 1e9, byte_burst: 1e9 } });
  const log = createLogger('warn', 'json', sink);
  const metrics = createMetrics();
  const hooks = new HookBus<HookEvents>((event, err) => log.error({ err, event }, 'hook handler failed'));
  const router = new Router({ hooks, log, metrics, isLocalDomain: (d) => d === 'localhost', accountExists: async (u) => u === 'fuzz' });
  const accounts = {
    normaliseUsername: (u: string) => u.toLowerCase(),
    verifyPassword: async (u: string, _d: string, p: string) => u === 'fuzz' && p === 'pw',
    scramCredentials: async () => null,
  } as unknown as Accounts;
  shared = { config, defaultDomain: 'localhost', isLocalDomain: (d) => d === 'localhost', router, hooks, features: new StreamFeatures(), accounts, log, metrics };
  return shared;
}

const settle = () => new Promise((r) => setImmediate(r));

/** Marks where a client would wait for the server's answer before sending on (never valid XML). */
export const TURN = '\u0000TURN\u0000';
const TURN_BYTES = Buffer.from(TURN);

function splitTurns(input: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let from = 0;
  for (let i = input.indexOf(TURN_BYTES); i >= 0; i = input.indexOf(TURN_BYTES, from)) {
    out.push(input.subarray(from, i));
    from = i + TURN_BYTES.length;
  }
  out.push(input.subarray(from));
  return out;
}

/** Feed the chunks through one client stream; throws with a reason when a property is violated. */
export async function runStream(input: Buffer, chunkSizes: number[]): Promise<void> {
  await runStreamCapture(input, chunkSizes);
}

/** runStream, returning what the server wrote. */
export async function runStreamCapture(input: Buffer, chunkSizes: number[]): Promise<string> {
  const t = new FakeTransport();
  const rejections: unknown[] = [];
  const onRejection = (e: unknown) => rejections.push(e);
  process.on('unhandledRejection', onRejection);
  logLines.length = 0;
  try {
    new C2SStream(t, deps());
    // Cut points: the chunk boundaries, and the turn markers (removed from the data), after
    // which the client waits for the server like a real client does (e.g. for <success/>).
    const cuts = new Set<number>();
    let pos = 0;
    for (const size of chunkSizes) cuts.add((pos += size));
    let from = 0;
    for (const turn of splitTurns(input)) {
      const end = from + turn.length;
      let at = from;
      for (const c of [...cuts].filter((c) => c > from && c < end).sort((a, b) => a - b)) {
        t.feed(turn.subarray(at - from, c - from));
        at = c;
        await settle();
      }
      t.feed(turn.subarray(at - from));
      for (let i = 0; i < 5; i++) await settle();
      from = end;
    }
  } finally {
    t.destroy();
    await settle();
    process.off('unhandledRejection', onRejection);
  }
  if (rejections.length) throw new Error(`unhandled rejection: ${String(rejections[0])}`);
  const bad = logLines.find((l) => /"level":(50|60)/.test(l));
  if (bad) throw new Error(`server logged an error: ${bad.slice(0, 500)}`);
  const output = t.out.join('');
  checkWellFormed(output);
  return output;
}

/** What the server wrote, split at each new stream header (a restart), must parse without error. */
function checkWellFormed(output: string): void {
  for (const part of output.split(/(?=<\?xml version='1\.0'\?>)/)) {
    if (!part.trim()) continue;
    let error: string | null = null;
    const p = createStreamParser(
      { onStreamStart: () => {}, onStanza: () => {}, onStreamEnd: () => {}, onError: (e) => (error = `${e.condition}: ${e.message}`) },
      { ...defaultXmlLimits, maxStanzaBytes: 1 << 24 },
      { framing: 'stream' },
    );
    p.write(part);
    if (error) throw new Error(`server output is not well-formed (${error}): ${part.slice(0, 400)}`);
  }
}

const H = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='localhost' version='1.0'>";
const AUTH = `<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${Buffer.from('\0fuzz\0pw').toString('base64')}</auth>${TURN}`;
const BIND = "<iq type='set' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>r</resource></bind></iq>";

/** Valid sessions the mutation fuzzer starts from. */
export const streamSeeds: string[] = [
  H + AUTH + H + BIND + "<presence/><message to='fuzz@localhost/r' type='chat' id='m1'><body>hi</body></message><iq type='get' id='p1' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq></stream:stream>",
  H + AUTH + H + BIND + "<iq type='get' id='r1'><query xmlns='jabber:iq:roster'/></iq><message to='nobody@localhost'><body>x</body></message><presence type='unavailable'/>",
  H + "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGZ1enoAd3Jvbmc=</auth><abort xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>" + AUTH,
  H + AUTH + H + "<message><body>before bind</body></message>",
  H + AUTH + H + BIND + "<message from='someone@else' to='fuzz@localhost'/><iq type='result' id='x'/><enable xmlns='urn:xmpp:sm:3'/>",
];
