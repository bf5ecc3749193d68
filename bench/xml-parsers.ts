// Which XML parser should sit under src/xml/parser.ts? This benchmark feeds the same realistic
// XMPP client stream (RFC 6120 §4) to each candidate in random-sized chunks, the way TCP delivers
// it, builds the same Element trees from the events, and reports stanzas/s and MB/s (median of
// several runs). It then probes each candidate with the inputs RFC 6120 §11.1 tells a server to
// refuse, to see which ones are correct and can be hardened. Results and the decision:
// docs/xml-parser.md.
//
//   npm run bench:xml -- [--stanzas 10000] [--runs 7] [--budget 60] [--seed 1] [--max-chunk 4096]
//
// Time is CPU time of this process (user + system), not wall time: the figures then hold up on a
// shared machine. Candidates run in turns (round-robin), so drift in machine load hits all alike.
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { EventEmitter } from 'node:events';
import { SaxesParser } from 'saxes';
import { Element } from '../src/xml/element.ts';
import { defaultXmlLimits } from '../src/xml/limits.ts';
import { createStreamParser } from '../src/xml/parser.ts';
import type { XmlParseError } from '../src/xml/stream-parser.ts';

const require = createRequire(import.meta.url);

// ---------------------------------------------------------------------------------------------
// Options

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const STANZAS = option('stanzas', 10_000);
const RUNS = option('runs', 7);
const BUDGET_MS = option('budget', 60) * 1000; // per workload; at least 3 rounds run whatever it says
const SEED = option('seed', 1);
const MAX_CHUNK = option('max-chunk', 4096);

// ---------------------------------------------------------------------------------------------
// The workload: a client stream as a server receives it

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BODIES = [
  'Hi! Are you coming tonight?',
  'Sure, see you at 8.',
  'if (a &lt; b &amp;&amp; c &gt; d) { return &quot;ok&quot;; } // it&apos;s code',
  'Grüße aus Köln, schöne Straße!',
  '日本語のメッセージです。よろしくお願いします。',
  'Ελληνικά κείμενα και ελληνικά γράμματα',
  'Lunch? 🍕🍔 or 🍣 👍🎉',
  'Tom &amp; Jerry &lt;3',
  'Привет, как дела? Всё хорошо.',
  'A longer message that someone pasted into the chat window, with a link https://example.org/a?b=c&amp;d=e and some more words after it so that the body is a few hundred bytes long like real chat messages sometimes are.',
];
const NAMES = ['Juliet', 'Romeo', 'Nurse', 'Benvolio', 'Mercutio', 'Tybalt', 'Ζωή', 'Jürgen', '李雷', 'Zoë &amp; Co'];
const GROUPS = ['Friends', 'Family', 'Work', 'Montagues', 'Capulets', 'Ünïcödé'];
const FEATURES = [
  'http://jabber.org/protocol/caps', 'http://jabber.org/protocol/disco#info', 'http://jabber.org/protocol/disco#items',
  'urn:xmpp:ping', 'urn:xmpp:receipts', 'urn:xmpp:carbons:2', 'urn:xmpp:mam:2', 'urn:xmpp:sid:0',
  'http://jabber.org/protocol/chatstates', 'urn:xmpp:chat-markers:0', 'jabber:iq:version', 'urn:xmpp:time',
  'eu.siacs.conversations.axolotl.devicelist+notify', 'urn:xmpp:jingle:1', 'urn:xmpp:jingle:apps:rtp:1',
];

const STREAM_HEADER =
  "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' " +
  "to='capulet.lit' version='1.0' xml:lang='en'>";
const STREAM_FOOTER = '</stream:stream>';

/** One stanza of the mix: 50% messages, 35% presence, 10% small iq, 5% roster results (if rosters). */
function stanza(rnd: () => number, n: number, rosters: boolean): string {
  const pick = <T>(a: T[]) => a[Math.floor(rnd() * a.length)];
  const user = () => `${pick(['juliet', 'romeo', 'nurse', 'benvolio', 'mercutio', 'tybalt'])}${Math.floor(rnd() * 500)}@${pick(['capulet.lit', 'montague.lit', 'verona.example'])}`;
  const id = `id-${n.toString(36)}-${Math.floor(rnd() * 1e9).toString(36)}`;
  const r = rnd();
  if (r < 0.5) {
    const body = pick(BODIES);
    if (rnd() < 0.15) {
      // A carbon copy (XEP-0280): a message forwarded inside a message.
      return `<message from='${user()}' to='${user()}/phone' type='chat'><sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>` +
        `<message xmlns='jabber:client' from='${user()}/laptop' to='${user()}' type='chat' id='${id}'><body>${body}</body>` +
        `<active xmlns='http://jabber.org/protocol/chatstates'/></message></forwarded></sent></message>`;
    }
    return `<message from='${user()}/balcony' to='${user()}' type='chat' id='${id}' xml:lang='en'><body>${body}</body>` +
      `<active xmlns='http://jabber.org/protocol/chatstates'/><request xmlns='urn:xmpp:receipts'/>` +
      `<origin-id xmlns='urn:xmpp:sid:0' id='${id}'/><markable xmlns='urn:xmpp:chat-markers:0'/></message>`;
  }
  if (r < 0.85) {
    const caps = `<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='https://conversations.im' ver='${Buffer.from(id).toString('base64')}'/>`;
    if (rnd() < 0.3) {
      return `<presence from='${user()}/phone' to='room@muc.capulet.lit/${pick(NAMES)}'><x xmlns='http://jabber.org/protocol/muc'>` +
        `<history maxstanzas='20'/></x>${caps}</presence>`;
    }
    return `<presence from='${user()}/phone'><show>${pick(['away', 'chat', 'dnd', 'xa'])}</show><status>${pick(BODIES)}</status>` +
      `<priority>${Math.floor(rnd() * 10)}</priority>${caps}</presence>`;
  }
  if (r < 0.95 || !rosters) {
    if (rnd() < 0.5) return `<iq type='get' id='${id}' to='capulet.lit'><ping xmlns='urn:xmpp:ping'/></iq>`;
    const features = FEATURES.map((f) => `<feature var='${f}'/>`).join('');
    return `<iq type='result' id='${id}' to='${user()}/phone'><query xmlns='http://jabber.org/protocol/disco#info'>` +
      `<identity category='client' type='phone' name='Conversations'/>${features}</query></iq>`;
  }
  const items: string[] = [];
  const count = 20 + Math.floor(rnd() * 180);
  for (let i = 0; i < count; i++) {
    items.push(`<item jid='${user()}' name='${pick(NAMES)}' subscription='${pick(['both', 'to', 'from'])}'><group>${pick(GROUPS)}</group></item>`);
  }
  return `<iq type='result' id='${id}' to='${user()}/phone'><query xmlns='jabber:iq:roster' ver='v${n}'>${items.join('')}</query></iq>`;
}

/** The whole stream as bytes, plus how many stanzas it holds. Whitespace keepalives sprinkled in. */
function xmppStream(stanzas: number, seed: number, rosters = true): { bytes: Buffer; stanzas: number } {
  const rnd = prng(seed);
  const parts = [STREAM_HEADER];
  for (let i = 0; i < stanzas; i++) {
    parts.push(stanza(rnd, i, rosters));
    if (rnd() < 0.05) parts.push('\n');
  }
  parts.push(STREAM_FOOTER);
  return { bytes: Buffer.from(parts.join(''), 'utf8'), stanzas };
}

/** Random chunk boundaries, as TCP would deliver them (sizes uniform in 1..max). */
function chunk(bytes: Buffer, max: number, seed: number): Buffer[] {
  const rnd = prng(seed);
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; ) {
    const n = 1 + Math.floor(rnd() * max);
    out.push(bytes.subarray(i, i + n));
    i += n;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Candidates. Each one turns events into the same Element trees (depth-1 children of the stream)
// so the figures include what the server must do anyway. String-based parsers get their input
// through a streaming, fatal TextDecoder: that is what production needs (a multi-byte character
// can be split across TCP reads), so its cost belongs in their figures.

interface Sink {
  write(chunk: Buffer): void;
  end(): void;
  /** Stanzas are kept only when checking them; timed runs count them and drop them, as a server would. */
  keep: boolean;
  count: number;
  stanzas: Element[];
  errors: string[];
  /** Events a hardened wrapper could refuse on. */
  seen: Set<'doctype' | 'comment' | 'pi' | 'entitydecl'>;
  /** Namespace the parser itself resolved for the first stanza, if it resolves namespaces. */
  resolvedNS?: string;
}

interface Candidate {
  name: string;
  create(keep?: boolean): Sink;
}

function newSink(keep = true): Sink {
  return { write() {}, end() {}, keep, count: 0, stanzas: [], errors: [], seen: new Set() };
}

function deliver(sink: Sink, el: Element): void {
  sink.count++;
  if (sink.keep) sink.stanzas.push(el);
}

/** Builds depth-1 Elements from start/text/end events; depth 0 is the stream root. */
function treeBuilder(sink: Sink) {
  let depth = 0;
  let cur: Element | null = null;
  return {
    depth: () => depth,
    start(name: string, attrs: Record<string, string>) {
      depth++;
      if (depth === 1) return;
      const el = new Element(name);
      el.attrs = attrs;
      if (cur) cur.children.push(el), (el.parent = cur);
      cur = el;
    },
    text(s: string) {
      if (cur) cur.children.push(s);
    },
    end() {
      depth--;
      if (!cur) return;
      const done: Element = cur;
      cur = cur.parent;
      if (depth === 1) (done.parent = null), deliver(sink, done);
    },
  };
}

/** The fatal decoder in front of a string parser refuses invalid UTF-8; record that as an error. */
function decodeFor(sink: Sink, dec: TextDecoder, b: Buffer): string {
  try {
    return dec.decode(b, { stream: true });
  } catch {
    sink.errors.push('invalid UTF-8 (TextDecoder)');
    return '';
  }
}

interface LtxSaxParser extends EventEmitter {
  write(data: string): void;
  end(): void;
}
const LtxSax: new () => LtxSaxParser = require('ltx/lib/parsers/ltx.js');

const ltx: Candidate = {
  name: 'ltx 3.1.2 (lib/parsers/ltx.js)',
  create(keep) {
    const sink = newSink(keep);
    const tree = treeBuilder(sink);
    const p = new LtxSax();
    const dec = new TextDecoder('utf-8', { fatal: true });
    p.on('startElement', tree.start);
    p.on('endElement', tree.end);
    p.on('text', tree.text);
    p.on('error', (e: Error) => sink.errors.push(String(e.message)));
    sink.write = (b) => p.write(decodeFor(sink, dec, b));
    sink.end = () => p.end();
    return sink;
  },
};

const saxes: Candidate = {
  name: 'saxes 6.0.0 (xmlns: true)',
  create(keep) {
    const sink = newSink(keep);
    const tree = treeBuilder(sink);
    const p = new SaxesParser({ xmlns: true });
    const dec = new TextDecoder('utf-8', { fatal: true });
    p.on('opentag', (tag) => {
      const attrs: Record<string, string> = {};
      for (const k in tag.attributes) attrs[k] = tag.attributes[k].value;
      if (sink.resolvedNS === undefined && tree.depth() === 1) sink.resolvedNS = tag.uri;
      tree.start(tag.name, attrs);
    });
    p.on('closetag', tree.end);
    p.on('text', tree.text);
    p.on('cdata', tree.text);
    p.on('doctype', () => sink.seen.add('doctype'));
    p.on('comment', () => sink.seen.add('comment'));
    p.on('processinginstruction', () => sink.seen.add('pi'));
    p.on('error', (e) => sink.errors.push(e.message));
    sink.write = (b) => void p.write(decodeFor(sink, dec, b));
    sink.end = () => void p.close();
    return sink;
  },
};

interface ExpatParser extends EventEmitter {
  parse(data: Buffer | string, isFinal?: boolean): boolean;
  getError(): string;
}
const Expat: new (encoding: string) => ExpatParser = require('node-expat').Parser;

const expat: Candidate = {
  name: 'node-expat 2.4.1 (libexpat 2.2.1)',
  create(keep) {
    const sink = newSink(keep);
    const tree = treeBuilder(sink);
    const p = new Expat('UTF-8');
    let failed = false;
    p.on('startElement', tree.start);
    p.on('endElement', tree.end);
    p.on('text', tree.text);
    p.on('comment', () => sink.seen.add('comment'));
    p.on('processingInstruction', () => sink.seen.add('pi'));
    p.on('entityDecl', () => sink.seen.add('entitydecl'));
    sink.write = (b) => {
      if (!failed && !p.parse(b, false)) (failed = true), sink.errors.push(p.getError());
    };
    sink.end = () => {
      if (!failed && !p.parse('', true)) sink.errors.push(p.getError());
    };
    return sink;
  },
};

const parley: Candidate = {
  name: 'parley src/xml/parser.ts (hardened)',
  create(keep) {
    const sink = newSink(keep);
    const p = createStreamParser(
      {
        onStreamStart() {},
        onStanza(el) {
          deliver(sink, el);
          if (sink.resolvedNS === undefined) sink.resolvedNS = el.getNS();
        },
        onStreamEnd() {},
        onError(err: XmlParseError) {
          sink.errors.push(`${err.condition}: ${err.message}`);
        },
      },
      defaultXmlLimits,
    );
    sink.write = (b) => p.write(b);
    sink.end = () => p.end();
    return sink;
  },
};

const CANDIDATES = [ltx, saxes, expat, parley];

// ---------------------------------------------------------------------------------------------
// Throughput

interface Figures {
  name: string;
  stanzasPerSec: number;
  mbPerSec: number;
  runs: number;
  note: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function runOnce(c: Candidate, chunks: Buffer[], keep = false): { ms: number; sink: Sink; threw?: string } {
  const t0 = process.hrtime.bigint();
  const sink = c.create(keep);
  let threw: string | undefined;
  try {
    for (const b of chunks) sink.write(b);
    sink.end();
  } catch (e) {
    threw = (e as Error).message;
  }
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, sink, threw };
}

/** Parses the stream once, keeping the stanzas, and says how they differ from the reference, if at all. */
function check(c: Candidate, chunks: Buffer[], expected: number, reference: string[]): string {
  const { sink, threw } = runOnce(c, chunks, true);
  if (threw) return `threw: ${threw}`;
  if (sink.errors.length) return `error: ${sink.errors[0]}`;
  if (sink.stanzas.length !== expected) return `got ${sink.stanzas.length} stanzas, expected ${expected}`;
  const bad = sink.stanzas.findIndex((el, i) => normalized(el) !== reference[i]);
  return bad >= 0 ? `stanza ${bad} differs from saxes` : 'same stanzas as saxes';
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

/**
 * Timed runs, candidates taking turns, nothing retained between runs (so each pays only for its
 * own garbage). Stops after RUNS rounds, or when the budget is spent and 3 rounds are done.
 */
function measure(chunks: Buffer[], bytes: number, expected: number, notes: string[]): Figures[] {
  const times: number[][] = CANDIDATES.map(() => []);
  CANDIDATES.forEach((c) => runOnce(c, chunks)); // warm-up
  const started = Date.now();
  for (let round = 1; round <= RUNS && (round <= 3 || Date.now() - started < BUDGET_MS); round++) {
    CANDIDATES.forEach((c, i) => {
      const t0 = process.cpuUsage();
      runOnce(c, chunks);
      times[i].push(cpuMs(t0));
    });
    process.stderr.write(`  round ${round}/${RUNS}: ${CANDIDATES.map((c, i) => `${c.name.split(' ')[0]} ${times[i][round - 1].toFixed(0)} ms`).join(', ')}\n`);
  }
  return CANDIDATES.map((c, i) => {
    const ms = median(times[i]);
    return { name: c.name, stanzasPerSec: expected / (ms / 1000), mbPerSec: bytes / 1e6 / (ms / 1000), runs: times[i].length, note: notes[i] };
  });
}

/**
 * A canonical form to compare trees across parsers: attributes sorted, adjacent text merged, and
 * the namespace declarations the hardened parser makes explicit on each stanza left out.
 */
function normalized(el: Element, top = true): string {
  const keys = Object.keys(el.attrs)
    .filter((k) => !(top && ((k === 'xmlns' && el.attrs[k] === 'jabber:client') || k === 'xmlns:stream')))
    .sort();
  let s = '<' + el.name + keys.map((k) => ` ${k}=${JSON.stringify(el.attrs[k])}`).join('') + '>';
  let text = '';
  for (const c of el.children) {
    if (typeof c === 'string') {
      text += c;
      continue;
    }
    if (text) (s += JSON.stringify(text)), (text = '');
    s += normalized(c, false);
  }
  if (text) s += JSON.stringify(text);
  return s + '</' + el.name + '>';
}

// ---------------------------------------------------------------------------------------------
// Correctness and hardening probes (RFC 6120 §11.1, XML 1.0, Namespaces in XML 1.0)

const OPEN = "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>";

interface Probe {
  what: string;
  input: string | Buffer;
  /** Input is split into 1-byte chunks. */
  bytewise?: boolean;
  /** The right outcome is refusing the input. */
  refuse?: boolean;
  /** For accepted inputs: expected text of the first stanza. */
  text?: string;
  /** Expected resolved namespace of the first stanza (only parsers that resolve namespaces). */
  ns?: string;
}

const PROBES: Probe[] = [
  { what: 'predefined entities and char refs decoded', input: `${OPEN}<a>&lt;&gt;&amp;&quot;&apos;&#65;&#x1F600;</a>`, text: `<>&"'A😀` },
  { what: 'UTF-8 split across chunks', input: `${OPEN}<a>é€😀</a>`, bytewise: true, text: 'é€😀' },
  { what: 'XML declaration split across chunks', input: `<?xml version='1.0'?>${OPEN}<a>x</a>`, bytewise: true, text: 'x' },
  { what: 'prefixed namespace resolved', input: `${OPEN}<x:a xmlns:x='urn:x'/>`, ns: 'urn:x' },
  { what: 'unbound prefix refused', input: `${OPEN}<y:a/>`, refuse: true },
  { what: 'mismatched end tag refused', input: `${OPEN}<a></b>`, refuse: true },
  { what: 'duplicate attribute refused', input: `${OPEN}<a x='1' x='2'/>`, refuse: true },
  { what: 'unquoted attribute refused', input: `${OPEN}<a x=1/>`, refuse: true },
  { what: "'<' in attribute value refused", input: `${OPEN}<a x='<'/>`, refuse: true },
  { what: 'undefined entity refused', input: `${OPEN}<a>&foo;</a>`, refuse: true },
  { what: 'char ref to non-Char (&#0;) refused', input: `${OPEN}<a>&#0;</a>`, refuse: true },
  { what: 'raw control character refused', input: `${OPEN}<a>\u0001</a>`, refuse: true },
  { what: 'invalid UTF-8 refused (JS parsers: by a fatal TextDecoder)', input: Buffer.concat([Buffer.from(`${OPEN}<a>`), Buffer.from([0xc3, 0x28]), Buffer.from('</a>')]), refuse: true },
  { what: 'DOCTYPE refused or reported', input: `<!DOCTYPE stream:stream>${OPEN}<a/>`, refuse: true },
  { what: 'internal entity (billion laughs) refused or reported', input: `<!DOCTYPE s [<!ENTITY x 'boom'>]>${OPEN}<a>&x;</a>`, refuse: true },
  { what: 'comment refused or reported', input: `${OPEN}<a><!-- hi --></a>`, refuse: true },
  { what: 'processing instruction refused or reported', input: `${OPEN}<a><?php echo 1 ?></a>`, refuse: true },
];

type Verdict = 'yes' | 'no' | 'throws' | 'event' | 'n/a';

function probe(c: Candidate, p: Probe): Verdict {
  const bytes = typeof p.input === 'string' ? Buffer.from(p.input) : p.input;
  const chunks = p.bytewise ? [...bytes].map((b) => Buffer.from([b])) : [bytes];
  const sink = c.create();
  try {
    for (const b of chunks) sink.write(b);
  } catch {
    return 'throws';
  }
  if (p.refuse) {
    if (sink.errors.length) return 'yes';
    if (sink.seen.size) return 'event';
    // A parser that silently decoded invalid UTF-8 into U+FFFD did not refuse it.
    return 'no';
  }
  if (sink.errors.length) return 'no';
  const el = sink.stanzas[0];
  if (!el) return 'no';
  if (p.ns !== undefined) {
    const ns = c === parley ? el.getNS() : sink.resolvedNS;
    return ns === undefined ? 'n/a' : ns === p.ns ? 'yes' : 'no';
  }
  return el.getText() === p.text ? 'yes' : 'no';
}

// ---------------------------------------------------------------------------------------------
// Report

function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => '| ' + r.map((c, i) => c.padEnd(w[i])).join(' | ') + ' |';
  return [line(head), '|' + w.map((n) => '-'.repeat(n + 2)).join('|') + '|', ...rows.map(line)].join('\n');
}

/**
 * A slow sender: one stanza whose 128 KiB body arrives one byte per write, as from a peer
 * trickling bytes. A parser that re-scans or re-copies its unfinished input on every write turns
 * this into quadratic work (RFC 6120 §13.12 resource exhaustion).
 */
const DRIP_KIB = 128;
function drip(): string[][] {
  const chunks = [
    Buffer.from(`${STREAM_HEADER}<message><body>`),
    ...Array.from({ length: DRIP_KIB * 1024 }, () => Buffer.from('x')),
    Buffer.from(`</body></message>${STREAM_FOOTER}`),
  ];
  const rows = CANDIDATES.map((c) => {
    const t0 = process.cpuUsage();
    const { sink, threw } = runOnce(c, chunks);
    const ms = cpuMs(t0);
    return [c.name, ms.toFixed(0), threw ? `threw: ${threw}` : `${sink.count} stanza${sink.errors.length ? `, error: ${sink.errors[0]}` : ''}`];
  });
  return rows;
}

const WORKLOADS = [
  { name: 'mixed: messages, presences, small iqs, 5% roster results of 20-200 items', rosters: true },
  { name: 'chat: the same without roster results', rosters: false },
];

function main(): void {
  const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
  console.log(`node ${process.version}; load average at start ${load()}; chunks of 1..${MAX_CHUNK} bytes; ` +
    `median CPU time of up to ${RUNS} rounds\n`);
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  for (const w of WORKLOADS) {
    const { bytes, stanzas } = xmppStream(STANZAS, SEED, w.rosters);
    const chunks = chunk(bytes, MAX_CHUNK, SEED + 1);
    process.stderr.write(`${w.name}: checking that every candidate yields the same stanzas as saxes\n`);
    let reference: string[] | null = runOnce(saxes, chunks, true).sink.stanzas.map((el) => normalized(el));
    const notes = CANDIDATES.map((c) => check(c, chunks, stanzas, reference!));
    reference = null;
    const figures = measure(chunks, bytes.length, stanzas, notes);
    console.log(`Workload ${w.name}: ${stanzas} stanzas, ${(bytes.length / 1e6).toFixed(2)} MB, ${chunks.length} chunks\n`);
    console.log(table(['candidate', 'stanzas/s', 'MB/s', 'runs', 'check'],
      figures.map((f) => [f.name, fmt(f.stanzasPerSec), f.mbPerSec.toFixed(1), String(f.runs), f.note])));
    console.log();
  }
  process.stderr.write('slow sender\n');
  console.log(`Slow sender: one stanza whose ${DRIP_KIB} KiB body is written one byte at a time\n`);
  console.log(table(['candidate', 'CPU ms', 'result'], drip()));
  console.log(`\nload average at end ${load()}\n`);

  console.log('Correctness and hardening (yes = right outcome; event = not refused, but an event lets a wrapper refuse it;');
  console.log('no = silently accepted or wrong; throws = exception out of write(); n/a = does not resolve namespaces)\n');
  console.log(table(['probe', ...CANDIDATES.map((c) => c.name.split(' ')[0])], PROBES.map((p) => [p.what, ...CANDIDATES.map((c) => probe(c, p))])));
}

main();
