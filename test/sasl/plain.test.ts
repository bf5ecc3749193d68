// SASL PLAIN (RFC 4616).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMechanism } from '../../src/sasl/index.ts';
import { testContext } from './context.ts';

const msg = (s: string) => Buffer.from(s, 'utf8');

test('PLAIN: right password succeeds', async () => {
  const ctx = await testContext({ accounts: { juliet: 'r0m€o' } });
  assert.deepEqual(await createMechanism('PLAIN', ctx)!.step(msg('\0juliet\0r0m€o')), { kind: 'success', username: 'juliet' });
});

test('PLAIN: an authzid is returned for the caller to check', async () => {
  const ctx = await testContext({ accounts: { juliet: 'pw' } });
  const step = await createMechanism('PLAIN', ctx)!.step(msg('juliet@example.com\0juliet\0pw'));
  assert.deepEqual(step, { kind: 'success', username: 'juliet', authzid: 'juliet@example.com' });
});

test('PLAIN: wrong password and unknown user both give not-authorized', async () => {
  const ctx = await testContext({ accounts: { juliet: 'pw' } });
  assert.deepEqual(await createMechanism('PLAIN', ctx)!.step(msg('\0juliet\0nope')), { kind: 'failure', condition: 'not-authorized' });
  assert.deepEqual(await createMechanism('PLAIN', ctx)!.step(msg('\0romeo\0pw')), { kind: 'failure', condition: 'not-authorized' });
});

test('PLAIN: the password is prepared with OpaqueString before verification', async () => {
  const ctx = await testContext({ accounts: { juliet: 'a b' } });
  // U+00A0 NO-BREAK SPACE maps to U+0020 (RFC 8265 §4.2.2).
  assert.equal((await createMechanism('PLAIN', ctx)!.step(msg('\0juliet\0a\u00a0b'))).kind, 'success');
  // A control character cannot be part of any prepared password.
  assert.deepEqual(await createMechanism('PLAIN', ctx)!.step(msg('\0juliet\0a\u0007b')), { kind: 'failure', condition: 'not-authorized' });
});

test('PLAIN: malformed messages', async () => {
  const ctx = await testContext({ accounts: { juliet: 'pw' } });
  for (const bad of [msg('juliet\0pw'), msg('\0\0pw'), msg('\0juliet\0'), msg('a\0b\0c\0d'), Buffer.from([0, 0x6a, 0, 0xff, 0xfe])]) {
    const step = await createMechanism('PLAIN', ctx)!.step(bad);
    assert.equal(step.kind === 'failure' && step.condition, 'malformed-request', JSON.stringify(bad.toString()));
  }
});

test('PLAIN: without an initial response, one empty challenge, then the credentials', async () => {
  const ctx = await testContext({ accounts: { juliet: 'pw' } });
  const mech = createMechanism('PLAIN', ctx)!;
  assert.deepEqual(await mech.step(Buffer.alloc(0)), { kind: 'challenge', data: Buffer.alloc(0) });
  assert.equal((await mech.step(msg('\0juliet\0pw'))).kind, 'success');
  assert.equal((await mech.step(msg('\0juliet\0pw'))).kind, 'failure');
});

test('PLAIN: a SaslError thrown by the context becomes its condition; other errors temporary-auth-failure', async () => {
  const { SaslError } = await import('../../src/sasl/index.ts');
  const ctx = await testContext({});
  ctx.verifyPassword = async () => {
    throw new SaslError('account-disabled', 'awaiting payment');
  };
  assert.deepEqual(await createMechanism('PLAIN', ctx)!.step(msg('\0juliet\0pw')), { kind: 'failure', condition: 'account-disabled', text: 'awaiting payment' });
  ctx.verifyPassword = async () => {
    throw new Error('database is down');
  };
  assert.deepEqual(await createMechanism('PLAIN', ctx)!.step(msg('\0juliet\0pw')), { kind: 'failure', condition: 'temporary-auth-failure' });
});
