// Fuzz targets: each takes one input and throws when a property of the code under test breaks.
// "Refusing bad input" is fine (a typed error or a failure value); anything else is a crash.
import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { parseJid, JidError } from '../../src/jid/index.ts';
import { parseClientFirst, parseClientFinal } from '../../src/sasl/scram-messages.ts';
import { createMechanism, deriveScramCredentials, type ScramCredentials } from '../../src/sasl/index.ts';
import { parseElement } from '../../src/xml/parse-element.ts';
import { parseForm, buildForm, NS_DATA } from '../../src/forms/index.ts';
import { FormError } from '../../src/forms/types.ts';
import type { Element } from '../../src/xml/element.ts';
import { runStream, streamSeeds } from './stream-harness.ts';

export interface FuzzCase {
  input: Buffer;
  /** Chunk sizes the input arrives in (stream target only). */
  chunks?: number[];
}

export interface Target {
  name: string;
  seeds: string[];
  check(c: FuzzCase): Promise<void> | void;
}

function jidCheck({ input }: FuzzCase): void {
  const text = input.toString('utf8');
  let j;
  try {
    j = parseJid(text);
  } catch (e) {
    if (e instanceof JidError) return;
    throw e;
  }
  // A parsed JID is canonical: printing and parsing it again is the identity.
  const again = parseJid(j.toString());
  assert.equal(again.toString(), j.toString());
  assert.ok(again.equals(j));
}

let creds: ScramCredentials | null = null;
async function scramCheck({ input }: FuzzCase): Promise<void> {
  const text = input.toString('utf8');
  // The parsers return failures as values; they never throw.
  const first = parseClientFirst(text);
  const final = parseClientFinal(text);
  assert.ok(typeof first.ok === 'boolean' && typeof final.ok === 'boolean');
  // The mechanism never throws: the input as client-first, then (if it got that far) as client-final,
  // after a valid client-first for the same user.
  creds ??= await deriveScramCredentials('pencil', 'SHA-256', 4096);
  const ctx = {
    getScramCredentials: async (u: string) => (u === 'user' ? creds : null),
    verifyPassword: async () => false,
    getChannelBinding: () => null,
    offeredMechanisms: ['SCRAM-SHA-256', 'PLAIN'],
    offeredChannelBindings: [],
  };
  const m1 = createMechanism('SCRAM-SHA-256', ctx, { unknownUserIterations: 4096 })!;
  const s1 = await m1.step(input);
  assert.ok(['challenge', 'failure'].includes(s1.kind), `client-first gave ${s1.kind}`);
  const m2 = createMechanism('SCRAM-SHA-256', ctx, { unknownUserIterations: 4096 })!;
  const c = await m2.step(Buffer.from('n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL'));
  assert.equal(c.kind, 'challenge');
  const s2 = await m2.step(input);
  assert.equal(s2.kind, 'failure', 'random bytes never authenticate');
}

function formsCheck({ input }: FuzzCase): void {
  const el = parseElement(input.toString('utf8'));
  if (!el) return;
  const forms: Element[] = el.is('x', NS_DATA) ? [el] : el.getChildren('x', NS_DATA);
  for (const x of forms) {
    let form;
    try {
      form = parseForm(x);
    } catch (e) {
      if (e instanceof FormError) continue;
      throw e;
    }
    // What we parse, we can write back and read again to the same form.
    assert.deepEqual(parseForm(buildForm(form)), form);
  }
}

export const targets: Target[] = [
  { name: 'stream', seeds: streamSeeds, check: ({ input, chunks }) => runStream(input, chunks ?? []) },
  {
    name: 'jid',
    seeds: ['user@example.com/res', 'a@b', 'example.com', 'ünïcode@ëxample.com/ø', 'a\\20b@x/y@z/w', '[::1]', 'x@127.0.0.1/r', '@', '/', 'a@b/'],
    check: jidCheck,
  },
  {
    name: 'scram',
    seeds: ['n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL', 'p=tls-exporter,a=user,n=user,r=abc', 'c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=', 'y,,n=x=2Cy,r=a,e=f'],
    check: scramCheck,
  },
  {
    name: 'forms',
    seeds: [
      "<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'><value>urn:x</value></field><field var='a' type='list-multi'><value>1</value><value>2</value></field></x>",
      "<x xmlns='jabber:x:data' type='form'><title>t</title><instructions>i</instructions><field var='l' type='list-single' label='L'><option label='o'><value>v</value></option><required/></field><field type='fixed'><value>f</value></field></x>",
      "<x xmlns='jabber:x:data' type='result'><reported><field var='a'/></reported><item><field var='a'><value>1</value></field></item></x>",
      "<iq><x xmlns='jabber:x:data' type='cancel'/></iq>",
    ],
    check: formsCheck,
  },
];

export function caseId(target: string, c: FuzzCase): string {
  return createHash('sha256').update(target).update(c.input).update(JSON.stringify(c.chunks ?? [])).digest('hex').slice(0, 16);
}
