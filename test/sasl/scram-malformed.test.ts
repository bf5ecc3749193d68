// Malformed SCRAM messages (RFC 5802 §7 grammar) give 'malformed-request'; random input never
// throws and always yields a SaslStep.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createMechanism, type SaslContext, type SaslStep } from '../../src/sasl/index.ts';
import { testContext } from './context.ts';

const CONDITIONS = new Set(['not-authorized', 'malformed-request', 'invalid-authzid', 'invalid-mechanism', 'encryption-required', 'aborted', 'credentials-expired', 'account-disabled', 'temporary-auth-failure']);

function assertSaslStep(s: SaslStep): void {
  if (s.kind === 'challenge') assert.ok(Buffer.isBuffer(s.data));
  else if (s.kind === 'success') assert.equal(typeof s.username, 'string');
  else {
    assert.equal(s.kind, 'failure');
    assert.ok(CONDITIONS.has(s.condition), s.condition);
  }
}

const CB = Buffer.alloc(32, 1);
let ctx: SaslContext;
const ready = testContext({ accounts: { user: 'pencil' }, channelBindings: { 'tls-exporter': CB } }).then((c) => (ctx = c));
const NONCE = 'SERVERNONCE';
const mech = (name = 'SCRAM-SHA-1') => createMechanism(name, ctx, { serverNonce: () => NONCE })!;

const badClientFirst = [
  'x,,n=user,r=abc', // unknown gs2 flag
  'n',
  'n,,',
  'n,b=foo,n=user,r=abc', // authzid without a=
  'n,a=,n=user,r=abc', // empty authzid
  'n,a=x=y,n=user,r=abc', // bad escape in authzid
  'n,,m=ext,n=user,r=abc', // RFC 5802 §5.1: unsupported mandatory extension
  'n,,n=,r=abc',
  'n,,n=us=er,r=abc', // "=" not followed by 2C / 3D
  'n,,n=us=2cer,r=abc', // lower-case escape
  'n,,n=user',
  'n,,n=user,r=',
  'n,,r=abc,n=user', // wrong order
  'n,,n=user,r=ab\x7fc', // nonce not printable
  'n,,n=user,r=abc,1=x', // extension name must be ALPHA
  'n,,n=user,r=abc,x=', // extension value must not be empty
  'n,,n=user,r=abc,,', // empty attribute
  'p=,,n=user,r=abc', // empty cb-name
  'N,,n=user,r=abc',
  ' n,,n=user,r=abc',
  'n,,n=u\0ser,r=abc',
];

for (const m of badClientFirst) {
  test(`client-first ${JSON.stringify(m)} is malformed`, async () => {
    await ready;
    const step = await mech().step(Buffer.from(m, 'latin1'));
    assert.equal(step.kind === 'failure' && step.condition, 'malformed-request');
  });
}

test('client-first that is not UTF-8, or too long, is malformed', async () => {
  await ready;
  for (const data of [Buffer.from([0x6e, 0x2c, 0x2c, 0x6e, 0x3d, 0xc3, 0x28, 0x2c, 0x72, 0x3d, 0x61]), Buffer.from(`n,,n=user,r=${'a'.repeat(10000)}`)]) {
    const step = await mech().step(data);
    assert.equal(step.kind === 'failure' && step.condition, 'malformed-request');
  }
});

test('client-first with well-formed optional extensions is accepted (RFC 5802 §5.1)', async () => {
  await ready;
  const step = await mech().step(Buffer.from('n,,n=user,r=abc,x=foo=bar,y=1'));
  assert.equal(step.kind, 'challenge');
});

const FULL = `abc${NONCE}`;
const PROOF = Buffer.alloc(20, 9).toString('base64');
const badClientFinal = [
  `c=biws,r=${FULL}`, // no proof
  `c=biws,p=${PROOF}`, // no nonce
  `r=${FULL},c=biws,p=${PROOF}`, // wrong order
  `c=b!ws,r=${FULL},p=${PROOF}`, // not base64
  `c=bix,r=${FULL},p=${PROOF}`, // unpadded base64
  `c=,r=${FULL},p=${PROOF}`,
  `c=biws,r=${FULL},p=AAAA`, // proof of the wrong length
  `c=biws,r=${FULL},p=${PROOF.slice(1)}`,
  `c=biws,r=${FULL},p=${PROOF},x=y`, // the proof must be last
  `c=biws,r=${FULL},1=2,p=${PROOF}`,
  `c=biws,r=${FULL},,p=${PROOF}`,
  '',
];

for (const m of badClientFinal) {
  test(`client-final ${JSON.stringify(m)} is malformed`, async () => {
    await ready;
    const mm = mech();
    assert.equal((await mm.step(Buffer.from('n,,n=user,r=abc'))).kind, 'challenge');
    const step = await mm.step(Buffer.from(m));
    assert.equal(step.kind === 'failure' && step.condition, 'malformed-request');
  });
}

test('client-final with a well-formed extension and a wrong proof is not-authorized', async () => {
  await ready;
  const mm = mech();
  await mm.step(Buffer.from('n,,n=user,r=abc'));
  assert.deepEqual(await mm.step(Buffer.from(`c=biws,r=${FULL},x=ext,p=${PROOF}`)), { kind: 'failure', condition: 'not-authorized' });
});

// Fragments that look like SCRAM so random messages reach the deeper parsing paths.
const fragment = fc.oneof(
  fc.constantFrom('n', 'y', 'p=tls-exporter', 'p=tls-unique', 'a=user', 'n=user', 'r=abc', `r=${FULL}`, 'c=biws', 'c=', 'p=', `p=${PROOF}`, 'm=x', '=2C', '=3D', '=', ',', '\0', 's=QSXCR+Q6sek8bf92', 'i=4096'),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
);
const scramish = fc.array(fragment, { maxLength: 10 }).map((parts) => parts.join(','));
const anyBytes = fc.oneof(fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)), scramish.map((s) => Buffer.from(s, 'utf8')));

for (const name of ['SCRAM-SHA-1', 'SCRAM-SHA-256-PLUS', 'SCRAM-SHA-512', 'PLAIN']) {
  test(`${name}: random first and second messages never throw and always give a SaslStep`, async () => {
    await ready;
    await fc.assert(
      fc.asyncProperty(anyBytes, anyBytes, async (a, b) => {
        const m = mech(name);
        const s1 = await m.step(a);
        assertSaslStep(s1);
        const s2 = await m.step(b);
        assertSaslStep(s2);
        // Nobody authenticates by chance.
        assert.notEqual(s2.kind, 'success');
      }),
      { numRuns: 300 },
    );
  });
}

test('SCRAM: random client-final after a valid client-first never succeeds and never throws', async () => {
  await ready;
  await fc.assert(
    fc.asyncProperty(anyBytes, async (b) => {
      const m = mech('SCRAM-SHA-1');
      assert.equal((await m.step(Buffer.from('n,,n=user,r=abc'))).kind, 'challenge');
      const s = await m.step(b);
      assertSaslStep(s);
      assert.equal(s.kind, 'failure');
    }),
    { numRuns: 500 },
  );
});
