// RFC 5802 §9 / RFC 7677 §4: an unknown user must not be told apart from a wrong password.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMechanism, type SaslMechanism } from '../../src/sasl/index.ts';
import { ScramClient } from './scram-client.ts';
import { ALL_HASHES, testContext } from './context.ts';

/** Runs an exchange and returns what the client saw, with the nonce parts blanked. */
async function transcript(mech: SaslMechanism, client: ScramClient) {
  const s1 = await mech.step(client.first());
  assert.equal(s1.kind, 'challenge');
  const serverFirst = s1.kind === 'challenge' ? s1.data.toString() : '';
  const s2 = await mech.step(client.final(Buffer.from(serverFirst)));
  return { serverFirst, shape: serverFirst.replace(/^r=[^,]+/, 'r=*').replace(/s=[^,]+/, (s) => `s=<${Buffer.from(s.slice(2), 'base64').length} bytes>`), final: s2 };
}

for (const hash of ALL_HASHES) {
  test(`SCRAM-${hash}: unknown user gets the same flow and failure as a wrong password`, async () => {
    const ctx = await testContext({ accounts: { juliet: 'secret' }, iterations: 10000 });
    const name = `SCRAM-${hash}`;
    const wrong = await transcript(createMechanism(name, ctx)!, new ScramClient({ hash, username: 'juliet', password: 'guess' }));
    const unknown = await transcript(createMechanism(name, ctx)!, new ScramClient({ hash, username: 'nobody', password: 'guess' }));
    assert.equal(unknown.shape, wrong.shape); // r=*,s=<16 bytes>,i=10000
    assert.deepEqual(unknown.final, wrong.final);
    assert.deepEqual(unknown.final, { kind: 'failure', condition: 'not-authorized' });
  });
}

test('SCRAM: an unknown user gets the same salt on every attempt, and different users get different salts', async () => {
  const ctx = await testContext({});
  const salt = async (username: string) => {
    const s1 = await createMechanism('SCRAM-SHA-256', ctx)!.step(new ScramClient({ hash: 'SHA-256', username, password: 'x' }).first());
    return /,s=([^,]+),/.exec(s1.kind === 'challenge' ? s1.data.toString() : '')![1];
  };
  assert.equal(await salt('ghost'), await salt('ghost'));
  assert.notEqual(await salt('ghost'), await salt('phantom'));
});

test('SCRAM: the iteration count shown to unknown users is configurable', async () => {
  const ctx = await testContext({});
  const mech = createMechanism('SCRAM-SHA-1', ctx, { unknownUserIterations: 12345 })!;
  const s1 = await mech.step(new ScramClient({ hash: 'SHA-1', username: 'ghost', password: 'x' }).first());
  assert.match(s1.kind === 'challenge' ? s1.data.toString() : '', /,i=12345$/);
});

test('SCRAM: credentials stored for another hash are treated like no account, even with the right password', async () => {
  const ctx = await testContext({ accounts: { juliet: 'secret' } });
  const sha1 = await ctx.getScramCredentials('juliet', 'SHA-1');
  ctx.getScramCredentials = async () => sha1; // a store that ignores the hash it was asked for
  const mech = createMechanism('SCRAM-SHA-256', ctx)!;
  const client = new ScramClient({ hash: 'SHA-256', username: 'juliet', password: 'secret' });
  const s1 = await mech.step(client.first());
  assert.doesNotMatch(s1.kind === 'challenge' ? s1.data.toString() : '', new RegExp(`s=${sha1!.salt.replace(/[+/]/g, '\\$&')}`));
  assert.deepEqual(await mech.step(client.final(s1.kind === 'challenge' ? s1.data : Buffer.alloc(0))), { kind: 'failure', condition: 'not-authorized' });
});
