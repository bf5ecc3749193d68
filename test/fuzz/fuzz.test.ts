// Fuzzing on a bounded budget (PARLEY_FUZZ_MS per target and engine, default 1500 ms; `npm run
// fuzz` runs a minute each): the regression corpus is replayed, then a mutation fuzzer and
// fast-check properties run against the client stream state machine, the JID parser, SCRAM
// messages and data forms. A failing input is saved into test/fuzz/corpus/ (unless
// PARLEY_FUZZ_SAVE=0) and the test fails, naming the file and the seed to reproduce it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { targets, type FuzzCase, type Target } from './targets.ts';
import { loadCorpus, saveCase } from './corpus.ts';
import { Rng, mutate, randomChunks } from './mutate.ts';

const BUDGET_MS = Number(process.env.PARLEY_FUZZ_MS ?? 1500);
const SEED = Number(process.env.PARLEY_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const SAVE = process.env.PARLEY_FUZZ_SAVE !== '0';

async function expectPass(target: Target, c: FuzzCase, how: string): Promise<void> {
  try {
    await target.check(c);
  } catch (e) {
    const where = SAVE ? saveCase(target.name, c, `${how}: ${String((e as Error).message ?? e).slice(0, 300)}`) : '(not saved)';
    throw new Error(`${target.name} fuzz case failed (${how}; PARLEY_FUZZ_SEED=${SEED}); saved as ${where}\n${(e as Error).stack ?? e}`);
  }
}

describe('fuzz corpus replay', () => {
  for (const target of targets) {
    const entries = loadCorpus(target.name);
    test(`${target.name}: ${entries.length} corpus seeds pass`, async () => {
      assert.ok(entries.length > 0, `test/fuzz/corpus/${target.name}/ holds seeds`);
      for (const e of entries) {
        try {
          await target.check(e);
        } catch (err) {
          throw new Error(`corpus seed ${e.file} (${e.note ?? ''}) fails: ${(err as Error).stack ?? err}`);
        }
      }
    });
  }
});

describe(`mutation fuzzer (${BUDGET_MS} ms per target, PARLEY_FUZZ_SEED=${SEED})`, () => {
  for (const target of targets) {
    test(target.name, async (t) => {
      const rng = new Rng(SEED ^ target.name.length * 7919);
      const seeds = [...target.seeds.map((s) => Buffer.from(s, 'utf8')), ...loadCorpus(target.name).map((e) => e.input)];
      const deadline = Date.now() + BUDGET_MS;
      let runs = 0;
      const used = new Map<string, number>();
      while (Date.now() < deadline) {
        const { output, applied } = mutate(rng.pick(seeds), rng);
        for (const a of applied) used.set(a, (used.get(a) ?? 0) + 1);
        const c: FuzzCase = target.name === 'stream' ? { input: output, chunks: randomChunks(output.length, rng) } : { input: output };
        await expectPass(target, c, `mutations ${applied.join('+')}`);
        runs++;
      }
      t.diagnostic(`${runs} mutated inputs; mutations used: ${[...used].map(([k, v]) => `${k} ${v}`).join(', ')}`);
      assert.ok(runs > 0);
    });
  }
});

describe(`fast-check properties (${BUDGET_MS} ms each)`, () => {
  const params = { interruptAfterTimeLimit: BUDGET_MS, markInterruptAsFailure: false, numRuns: 1_000_000, seed: SEED } as const;
  const byName = Object.fromEntries(targets.map((t) => [t.name, t]));

  test('stream: any chunking of a valid session, with random bytes spliced in', async () => {
    const seeds = byName.stream.seeds;
    await fc.assert(
      fc.asyncProperty(fc.nat(seeds.length - 1), fc.array(fc.nat(), { maxLength: 30 }), fc.option(fc.tuple(fc.nat(), fc.uint8Array({ maxLength: 8 }))), async (i, cuts, splice) => {
        let input = Buffer.from(seeds[i], 'utf8');
        if (splice) {
          const at = splice[0] % (input.length + 1);
          input = Buffer.concat([input.subarray(0, at), Buffer.from(splice[1]), input.subarray(at)]);
        }
        const points = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
        const chunks = [...points, input.length].map((p, k, a) => p - (k ? a[k - 1] : 0)).filter((n) => n > 0);
        await expectPass(byName.stream, { input, chunks }, 'fast-check chunking');
      }),
      params,
    );
  });

  test('jid: any string either parses to a canonical JID or is refused with JidError', () => {
    const part = fc.string({ unit: 'binary', maxLength: 30 });
    const jidish = fc.tuple(fc.option(part), part, fc.option(part)).map(([l, d, r]) => `${l !== null ? l + '@' : ''}${d}${r !== null ? '/' + r : ''}`);
    fc.assert(fc.property(fc.oneof(jidish, fc.string({ unit: 'binary' })), (s) => void byName.jid.check({ input: Buffer.from(s, 'utf8') })), { ...params, numRuns: Math.max(300, Math.floor(BUDGET_MS / 5)) });
  });

  test('scram: client messages from the SCRAM alphabet never throw and never authenticate', async () => {
    const attr = fc.tuple(fc.constantFrom('n', 'r', 'c', 'p', 'a', 'm', 'e', 'y', 's', 'i'), fc.string({ maxLength: 20 })).map(([k, v]) => `${k}=${v}`);
    const msg = fc.oneof(fc.array(fc.oneof(attr, fc.constantFrom('n', 'y', 'p=tls-exporter', '')), { maxLength: 6 }).map((a) => a.join(',')), fc.string({ unit: 'binary', maxLength: 80 }));
    await fc.assert(fc.asyncProperty(msg, (m) => Promise.resolve(byName.scram.check({ input: Buffer.from(m, 'utf8') }))), { ...params, interruptAfterTimeLimit: BUDGET_MS });
  });

  test('forms: generated forms round-trip; arbitrary field soup is refused only with FormError', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 12 }).map((s) => s.replace(/[<>&'"]/g, ''));
    const type = fc.constantFrom('boolean', 'fixed', 'hidden', 'jid-multi', 'jid-single', 'list-multi', 'list-single', 'text-multi', 'text-private', 'text-single', 'bogus');
    const field = fc.tuple(fc.option(text), fc.option(type), fc.array(text, { maxLength: 3 }), fc.array(fc.array(text, { maxLength: 2 }), { maxLength: 2 }), fc.boolean())
      .map(([v, ty, values, options, req]) => `<field${v !== null ? ` var='${v}'` : ''}${ty !== null ? ` type='${ty}'` : ''}>${values.map((x) => `<value>${x}</value>`).join('')}${options.map((o) => `<option>${o.map((x) => `<value>${x}</value>`).join('')}</option>`).join('')}${req ? '<required/>' : ''}</field>`);
    const form = fc.tuple(fc.constantFrom('form', 'submit', 'result', 'cancel', 'x'), fc.array(field, { maxLength: 5 })).map(([ty, fs]) => `<x xmlns='jabber:x:data' type='${ty}'>${fs.join('')}</x>`);
    fc.assert(fc.property(form, (f) => void byName.forms.check({ input: Buffer.from(f, 'utf8') })), params);
  });
});

test('stream harness reaches the bound state (the fuzzers start from real sessions)', async () => {
  const { runStreamCapture, streamSeeds } = await import('./stream-harness.ts');
  const out = await runStreamCapture(Buffer.from(streamSeeds[0], 'utf8'), []);
  assert.match(out, /<success xmlns="urn:ietf:params:xml:ns:xmpp-sasl"\/>/);
  assert.match(out, /<jid>fuzz@localhost\/r<\/jid>/);
  assert.match(out, /<message[^>]*to="fuzz@localhost\/r"[\s\S]*?<body>hi<\/body>/);
  assert.match(out, /<iq[^>]*id="p1"/, "the ping is answered (an error: no ping module in the harness)");
});
