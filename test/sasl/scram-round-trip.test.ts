// Full SCRAM exchanges against the test client, for every hash, with and without -PLUS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMechanism, type SaslMechanism, type SaslStep } from '../../src/sasl/index.ts';
import { ScramClient, type ScramClientOptions } from './scram-client.ts';
import { ALL_HASHES, testContext } from './context.ts';

const EXPORTER = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');
const END_POINT = Buffer.alloc(32, 7);

async function exchange(mech: SaslMechanism, client: ScramClient): Promise<SaslStep> {
  const s1 = await mech.step(client.first());
  if (s1.kind !== 'challenge') return s1;
  return mech.step(client.final(s1.data));
}

async function setup() {
  return testContext({
    accounts: { juliet: 'r0m€o pass', 'a,b=c': 'pencil' },
    iterations: 4096,
    channelBindings: { 'tls-exporter': EXPORTER, 'tls-server-end-point': END_POINT },
  });
}

for (const hash of ALL_HASHES) {
  for (const plus of [false, true]) {
    const name = `SCRAM-${hash}${plus ? '-PLUS' : ''}`;
    const cbVariants: ScramClientOptions['channelBinding'][] = plus
      ? [{ type: 'tls-exporter', data: EXPORTER }, { type: 'tls-server-end-point', data: END_POINT }]
      : ['n'];

    for (const channelBinding of cbVariants) {
      const label = typeof channelBinding === 'object' ? ` with ${channelBinding.type}` : '';
      test(`${name}${label}: right password succeeds and the server signature verifies`, async () => {
        const ctx = await setup();
        const client = new ScramClient({ hash, username: 'juliet', password: 'r0m€o pass', channelBinding });
        const step = await exchange(createMechanism(name, ctx)!, client);
        assert.equal(step.kind, 'success');
        assert.equal(step.kind === 'success' && step.username, 'juliet');
        assert.equal(step.kind === 'success' && step.authzid, undefined);
        assert.ok(step.kind === 'success' && step.data && client.verifyServerFinal(step.data));
      });
    }

    test(`${name}: wrong password gives not-authorized`, async () => {
      const ctx = await setup();
      const client = new ScramClient({ hash, username: 'juliet', password: 'r0m€o pas', channelBinding: cbVariants[0] });
      assert.deepEqual(await exchange(createMechanism(name, ctx)!, client), { kind: 'failure', condition: 'not-authorized' });
    });
  }
}

test('SCRAM: username with "," and "=" is sent as =2C / =3D and decoded before lookup (RFC 5802 §5.1)', async () => {
  const ctx = await setup();
  const client = new ScramClient({ hash: 'SHA-256', username: 'a,b=c', password: 'pencil' });
  assert.match(client.first().toString(), /n=a=2Cb=3Dc,/);
  const step = await exchange(createMechanism('SCRAM-SHA-256', ctx)!, client);
  assert.equal(step.kind === 'success' && step.username, 'a,b=c');
  assert.deepEqual(ctx.lookups, ['a,b=c']);
});

test('SCRAM: an authzid is decoded and returned with success for the caller to check', async () => {
  const ctx = await setup();
  const client = new ScramClient({ hash: 'SHA-1', username: 'juliet', password: 'r0m€o pass', authzid: 'juliet@example.com' });
  const step = await exchange(createMechanism('SCRAM-SHA-1', ctx)!, client);
  assert.equal(step.kind, 'success');
  assert.equal(step.kind === 'success' && step.authzid, 'juliet@example.com');
});

test('SCRAM: without an initial response the server sends one empty challenge (RFC 6120 §6.4.2)', async () => {
  const ctx = await setup();
  const mech = createMechanism('SCRAM-SHA-256', ctx)!;
  assert.deepEqual(await mech.step(Buffer.alloc(0)), { kind: 'challenge', data: Buffer.alloc(0) });
  const client = new ScramClient({ hash: 'SHA-256', username: 'juliet', password: 'r0m€o pass' });
  assert.equal((await exchange(mech, client)).kind, 'success');
});

test('SCRAM: a second empty response is malformed', async () => {
  const mech = createMechanism('SCRAM-SHA-1', await setup())!;
  await mech.step(Buffer.alloc(0));
  assert.equal((await mech.step(Buffer.alloc(0))).kind, 'failure');
});

test('SCRAM: the server nonce is fresh for every exchange and extends the client nonce', async () => {
  const ctx = await setup();
  const nonces = new Set<string>();
  for (let i = 0; i < 20; i++) {
    const client = new ScramClient({ hash: 'SHA-1', username: 'juliet', password: 'x', clientNonce: 'fixedclientnonce' });
    const s1 = await createMechanism('SCRAM-SHA-1', ctx)!.step(client.first());
    const r = /^r=([^,]+),/.exec(s1.kind === 'challenge' ? s1.data.toString() : '')![1];
    assert.ok(r.startsWith('fixedclientnonce') && r.length > 'fixedclientnonce'.length + 16);
    nonces.add(r);
  }
  assert.equal(nonces.size, 20);
});

test('SCRAM: iteration count and salt come from the stored credentials', async () => {
  const ctx = await testContext({ accounts: { romeo: 'pw' }, iterations: 5000 });
  const client = new ScramClient({ hash: 'SHA-512', username: 'romeo', password: 'pw' });
  const s1 = await createMechanism('SCRAM-SHA-512', ctx)!.step(client.first());
  const sf = s1.kind === 'challenge' ? s1.data.toString() : '';
  const stored = await ctx.getScramCredentials('romeo', 'SHA-512');
  assert.match(sf, new RegExp(`,s=${stored!.salt.replace(/[+/]/g, '\\$&')},i=5000$`));
});

test('SCRAM: a proof replayed in a new exchange fails (the server nonce changed)', async () => {
  const ctx = await setup();
  const client = new ScramClient({ hash: 'SHA-256', username: 'juliet', password: 'r0m€o pass' });
  const m1 = createMechanism('SCRAM-SHA-256', ctx)!;
  const s1 = await m1.step(client.first());
  const final = client.final(s1.kind === 'challenge' ? s1.data : Buffer.alloc(0));
  const m2 = createMechanism('SCRAM-SHA-256', ctx)!;
  await m2.step(client.first());
  assert.deepEqual(await m2.step(final), { kind: 'failure', condition: 'not-authorized', text: 'nonce mismatch' });
});

test('SCRAM: steps after success or failure are refused', async () => {
  const ctx = await setup();
  const client = new ScramClient({ hash: 'SHA-1', username: 'juliet', password: 'r0m€o pass' });
  const mech = createMechanism('SCRAM-SHA-1', ctx)!;
  assert.equal((await exchange(mech, client)).kind, 'success');
  assert.equal((await mech.step(Buffer.from('x'))).kind, 'failure');
});

test('SCRAM: a step sent while the previous one is pending is refused without breaking the exchange', async () => {
  const ctx = await setup();
  const client = new ScramClient({ hash: 'SHA-256', username: 'juliet', password: 'r0m€o pass' });
  const mech = createMechanism('SCRAM-SHA-256', ctx)!;
  const pending = mech.step(client.first());
  assert.deepEqual(await mech.step(client.first()), { kind: 'failure', condition: 'malformed-request', text: 'a step is already in progress' });
  const s1 = await pending;
  assert.equal(s1.kind, 'challenge');
  assert.equal((await mech.step(client.final(s1.kind === 'challenge' ? s1.data : Buffer.alloc(0)))).kind, 'success');
});
