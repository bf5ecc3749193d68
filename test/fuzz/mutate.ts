// A small mutation engine for the fuzzers: a seeded PRNG (runs are reproducible from their seed)
// and byte-level mutations aimed at XML streams and protocol strings: flips, inserts, deletes,
// duplication, truncation, invalid UTF-8, huge attribute values and XML constructs XMPP forbids.

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  /** xorshift32 */
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s / 0x1_0000_0000;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)];
  }
}

const INVALID_UTF8 = [[0xc3, 0x28], [0xff], [0xfe], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0x80]];
const XML_BITS = [
  '<!DOCTYPE x [<!ENTITY a "aaaa">]>', '<!-- c -->', '<?pi x?>', '&a;', '&#0;', '&#xD800;', '&#x110000;', '<![CDATA[x]]>',
  '</stream:stream>', '<stream:stream>', '<', '>', '&', "'", '"', '=', '/>', 'xmlns=""', 'xmlns:x=""', ' x:y="1"', '\u0000', '\uFFFE',
  '<iq type="set" id="z"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"/></iq>', '<r xmlns="urn:xmpp:sm:3"/>', '<a/>', ' a="1" a="2"',
];

export type Mutation = (input: Buffer, rng: Rng) => Buffer;

const at = (b: Buffer, rng: Rng) => rng.int(b.length + 1);
const splice = (b: Buffer, pos: number, del: number, ins: Buffer) => Buffer.concat([b.subarray(0, pos), ins, b.subarray(pos + del)]);

export const mutations: Record<string, Mutation> = {
  flip: (b, r) => {
    if (!b.length) return b;
    const c = Buffer.from(b);
    c[r.int(c.length)] ^= 1 << r.int(8);
    return c;
  },
  randomByte: (b, r) => (b.length ? splice(b, r.int(b.length), 1, Buffer.from([r.int(256)])) : b),
  insertBytes: (b, r) => splice(b, at(b, r), 0, Buffer.from(Array.from({ length: 1 + r.int(16) }, () => r.int(256)))),
  deleteRange: (b, r) => {
    const p = at(b, r);
    return splice(b, p, r.int(Math.min(64, b.length - p + 1)), Buffer.alloc(0));
  },
  duplicateRange: (b, r) => {
    const p = at(b, r);
    const len = r.int(Math.min(256, b.length - p + 1));
    return splice(b, at(b, r), 0, b.subarray(p, p + len));
  },
  truncate: (b, r) => b.subarray(0, at(b, r)),
  invalidUtf8: (b, r) => splice(b, at(b, r), 0, Buffer.from(r.pick(INVALID_UTF8))),
  xmlBit: (b, r) => splice(b, at(b, r), 0, Buffer.from(r.pick(XML_BITS))),
  hugeAttribute: (b, r) => {
    // After an element name: a value far past any sane limit (the parser must refuse, not buffer).
    const text = b.toString('latin1');
    const tags = [...text.matchAll(/<[a-zA-Z:]+/g)];
    const pos = tags.length ? (() => { const m = r.pick(tags); return m.index! + m[0].length; })() : at(b, r);
    const size = r.pick([1024, 70_000, 300_000]);
    return splice(b, pos, 0, Buffer.from(` huge="${'v'.repeat(size)}"`));
  },
  deepNesting: (b, r) => splice(b, at(b, r), 0, Buffer.from('<a>'.repeat(100 + r.int(200)))),
  manyAttributes: (b, r) => {
    const text = b.toString('latin1');
    const m = /<message|<iq|<presence/.exec(text);
    const pos = m ? m.index + m[0].length : at(b, r);
    return splice(b, pos, 0, Buffer.from(Array.from({ length: 100 }, (_, i) => ` a${i}="${i}"`).join('')));
  },
};

const NAMES = Object.keys(mutations);

/** Apply 1..max random mutations. */
export function mutate(input: Buffer, rng: Rng, max = 4): { output: Buffer; applied: string[] } {
  let out = input;
  const applied: string[] = [];
  for (let i = 1 + rng.int(max); i > 0; i--) {
    const name = rng.pick(NAMES);
    out = mutations[name](out, rng);
    applied.push(name);
  }
  return { output: out, applied };
}

/** Random chunk boundaries (1..n cut points), as chunk sizes. */
export function randomChunks(length: number, rng: Rng): number[] {
  const cuts = new Set<number>();
  const n = rng.int(Math.min(length, 40) + 1);
  for (let i = 0; i < n; i++) cuts.add(1 + rng.int(Math.max(1, length - 1)));
  const points = [...cuts].filter((c) => c < length).sort((a, b) => a - b);
  const sizes: number[] = [];
  let from = 0;
  for (const p of [...points, length]) {
    sizes.push(p - from);
    from = p;
  }
  return sizes.filter((s) => s > 0);
}
