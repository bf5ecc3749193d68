// One side of the head-of-line benchmark, run inside a network namespace by run.ts.
//   receiver: x and y log in over TCP next to the server; y timestamps conversation B.
//   sender:   u logs in over the transport under test and runs conversation A (bulk in-band
//             file chunks to x, unthrottled but paced by the transport's own back-pressure) and
//             conversation B (a 200-byte message to y every 100 ms carrying its phase, sequence
//             number and send time). Phases: idle-warmup, idle (no bulk), load-warmup, load (bulk
//             on); run.ts drops the two warm-up phases from the statistics, keeps them in the CSV.
// Prints one JSON line on stdout when done.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { TcpXmpp } from './tcp-client.ts';
import { QuicXmppClient } from '../../src/quic-client/index.ts';
import { parseElement } from '../../src/xml/parse-element.ts';

const { values: a } = parseArgs({
  options: {
    role: { type: 'string' },
    transport: { type: 'string', default: 'tcp' },
    host: { type: 'string', default: '127.0.0.1' },
    'tcp-port': { type: 'string', default: '5223' },
    'quic-port': { type: 'string', default: '5224' },
    domain: { type: 'string', default: 'localhost' },
    ca: { type: 'string' },
    'warmup-s': { type: 'string', default: '5' },
    'idle-s': { type: 'string', default: '10' },
    'load-s': { type: 'string', default: '60' },
    // 0: no size limit, the bulk transfer runs for the whole load phase.
    'file-mib': { type: 'string', default: '0' },
    'chunk-kib': { type: 'string', default: '4' },
  },
});
const ca = readFileSync(a.ca!, 'utf8');
const d = a.domain!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const HIGH_WATER = 64 * 1024;

async function receiver(): Promise<void> {
  const common = { host: a.host!, port: Number(a['tcp-port']), domain: d, password: 'pw', resource: 'r', ca };
  const x = await TcpXmpp.connect({ ...common, username: 'x' });
  const y = await TcpXmpp.connect({ ...common, username: 'y' });
  // Every B delivery: [phase, seq, sent (ms since epoch), latency ms].
  const deliveries: Array<[string, number, number, number]> = [];
  let aChunks = 0;
  let aBytes = 0;
  let aFirst = 0;
  let aLast = 0;
  x.onStanza = (el) => {
    if (el.name !== 'message') return;
    aLast = Date.now();
    aFirst ||= aLast;
    aChunks++;
    aBytes += Math.floor(((el.getChild('data')?.getText() ?? '').length * 3) / 4);
  };
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => {
    setTimeout(resolve, 600_000).unref();
    y.onStanza = (el) => {
      const body = el.getChildText('body') ?? '';
      if (body === 'END') return resolve();
      const [tag, phase, seq, ts] = body.split(' ');
      if (tag === 'B') deliveries.push([phase, Number(seq), Number(ts), Date.now() - Number(ts)]);
    };
  });
  process.stdout.write(JSON.stringify({ deliveries, aChunks, aBytes, aSeconds: (aLast - aFirst) / 1000 }) + '\n');
  x.close();
  y.close();
  await sleep(200);
  process.exit(0);
}

interface Sender {
  send(xml: string): void;
  buffered(): number;
  /** Everything sent has left (TCP) or been acked by the server (QUIC). */
  drained(): boolean;
  close(): Promise<void>;
}

async function connectSender(): Promise<Sender> {
  const t = a.transport!;
  if (t === 'tcp') {
    const u = await TcpXmpp.connect({ host: a.host!, port: Number(a['tcp-port']), domain: d, username: 'u', password: 'pw', resource: 'r', ca });
    return { send: (s) => void u.write(s), buffered: () => u.bufferedBytes, drained: () => u.bufferedBytes === 0, close: async () => u.close() };
  }
  const u = await QuicXmppClient.connect({ host: a.host!, port: Number(a['quic-port']), domain: d, username: 'u', password: 'pw', resource: 'r', ca, mode: t === 'quic-mux' ? 'mux' : 'single', lanes: 4 });
  return { send: (s) => void u.send(parseElement(s)!), buffered: () => u.bufferedBytes, drained: () => u.unacked === 0, close: () => u.close() };
}

async function sender(): Promise<void> {
  const u = await connectSender();
  const pad = (s: string) => s + ' ' + '.'.repeat(Math.max(0, 200 - s.length - 1));
  const warmupMs = Number(a['warmup-s']) * 1000;
  let phase = 'idle-warmup';
  let running = true;
  let seq = 0;
  const chat = (async () => {
    let next = Date.now();
    while (running) {
      u.send(`<message to="y@${d}/r" type="chat"><body>${pad(`B ${phase} ${seq++} ${Date.now()}`)}</body></message>`);
      next += 100;
      await sleep(Math.max(0, next - Date.now()));
    }
  })();
  await sleep(warmupMs);
  phase = 'idle';
  await sleep(Number(a['idle-s']) * 1000);
  phase = 'load-warmup';
  const warm = setTimeout(() => (phase = 'load'), warmupMs);
  const chunk = Buffer.alloc(Number(a['chunk-kib']) * 1024, 7).toString('base64');
  const fileMib = Number(a['file-mib']);
  const chunks = fileMib > 0 ? Math.ceil((fileMib * 1024) / Number(a['chunk-kib'])) : Infinity;
  const deadline = Date.now() + warmupMs + Number(a['load-s']) * 1000;
  const started = Date.now();
  let sent = 0;
  for (; sent < chunks && Date.now() < deadline; sent++) {
    while (u.buffered() > HIGH_WATER && Date.now() < deadline) await sleep(2);
    u.send(`<message to="x@${d}/r" id="f${sent}"><data xmlns="http://jabber.org/protocol/ibb" sid="file1" seq="${sent & 0xffff}">${chunk}</data></message>`);
  }
  const bulkSeconds = (Date.now() - started) / 1000;
  // A sized file may finish early; B keeps running to the end of the load phase either way.
  await sleep(Math.max(0, deadline - Date.now()));
  clearTimeout(warm);
  running = false;
  await chat;
  // The file's tail may still be queued (single stream: ahead of END); let it all reach the server.
  for (const until = Date.now() + 120_000; !u.drained() && Date.now() < until; ) await sleep(50);
  await sleep(2000);
  u.send(`<message to="y@${d}/r" type="chat"><body>END</body></message>`);
  for (const until = Date.now() + 60_000; !u.drained() && Date.now() < until; ) await sleep(50);
  await sleep(500);
  process.stdout.write(JSON.stringify({ chunksSent: sent, bulkSeconds, bSent: seq }) + '\n');
  // Stay connected until run.ts has the receiver's result: leaving earlier could reset a TCP
  // connection whose kernel buffer still holds the file's tail and END.
  await new Promise((r) => process.stdin.once('end', r).resume());
  await u.close();
  process.exit(0);
}

if (a.role === 'receiver') await receiver();
else await sender();
