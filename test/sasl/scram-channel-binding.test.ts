// Channel binding (RFC 5802 §6, XEP-0440): -PLUS verification and the gs2 'y' downgrade check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMechanism, type SaslMechanism, type SaslStep } from '../../src/sasl/index.ts';
import { ScramClient, type ScramClientOptions } from './scram-client.ts';
import { testContext } from './context.ts';

const EXPORTER = Buffer.alloc(32, 0xa5);

async function exchange(mech: SaslMechanism, client: ScramClient, cbOverride?: Buffer): Promise<SaslStep> {
  const s1 = await mech.step(client.first());
  if (s1.kind !== 'challenge') return s1;
  return mech.step(client.final(s1.data, cbOverride));
}

const juliet = (channelBinding: ScramClientOptions['channelBinding']) =>
  new ScramClient({ hash: 'SHA-256', username: 'juliet', password: 'secret', channelBinding });

test('-PLUS: channel-binding data that differs from the connection\'s fails (man in the middle)', async () => {
  const ctx = await testContext({ accounts: { juliet: 'secret' }, channelBindings: { 'tls-exporter': EXPORTER } });
  const other = Buffer.alloc(32, 0x5a);
  const step = await exchange(createMechanism('SCRAM-SHA-256-PLUS', ctx)!, juliet({ type: 'tls-exporter', data: other }));
  assert.deepEqual(step, { kind: 'failure', condition: 'not-authorized', text: 'channel binding mismatch' });
});

test('-PLUS: c= carrying only the gs2 header (no binding data) fails', async () => {
  const ctx = await testContext({ accounts: { juliet: 'secret' }, channelBindings: { 'tls-exporter': EXPORTER } });
  const client = juliet({ type: 'tls-exporter', data: EXPORTER });
  const step = await exchange(createMechanism('SCRAM-SHA-256-PLUS', ctx)!, client, Buffer.from(client.gs2Header));
  assert.deepEqual(step, { kind: 'failure', condition: 'not-authorized', text: 'channel binding mismatch' });
});

test('-PLUS: a channel-binding type the server did not offer fails', async () => {
  const ctx = await testContext({ accounts: { juliet: 'secret' }, channelBindings: { 'tls-exporter': EXPORTER } });
  const step = await exchange(createMechanism('SCRAM-SHA-256-PLUS', ctx)!, juliet({ type: 'tls-unique', data: EXPORTER }));
  assert.equal(step.kind === 'failure' && step.condition, 'not-authorized');
});

test('-PLUS: an offered type whose data is unavailable on this connection fails', async () => {
  const ctx = await testContext({ accounts: { juliet: 'secret' }, channelBindings: { 'tls-exporter': EXPORTER } });
  ctx.getChannelBinding = () => null;
  const step = await exchange(createMechanism('SCRAM-SHA-256-PLUS', ctx)!, juliet({ type: 'tls-exporter', data: EXPORTER }));
  assert.equal(step.kind === 'failure' && step.condition, 'not-authorized');
});

test("-PLUS: gs2 flag 'n' or 'y' with a -PLUS mechanism is malformed", async () => {
  const ctx = await testContext({ accounts: { juliet: 'secret' }, channelBindings: { 'tls-exporter': EXPORTER } });
  for (const flag of ['n', 'y'] as const) {
    const step = await exchange(createMechanism('SCRAM-SHA-256-PLUS', ctx)!, juliet(flag));
    assert.equal(step.kind === 'failure' && step.condition, 'malformed-request');
  }
});

test("non-PLUS: gs2 flag 'p' is malformed (channel binding needs the -PLUS mechanism)", async () => {
  const ctx = await testContext({ accounts: { juliet: 'secret' }, channelBindings: { 'tls-exporter': EXPORTER } });
  const step = await exchange(createMechanism('SCRAM-SHA-256', ctx)!, juliet({ type: 'tls-exporter', data: EXPORTER }));
  assert.equal(step.kind === 'failure' && step.condition, 'malformed-request');
});

test("'y' flag when the server offered -PLUS is a downgrade and fails (RFC 5802 §6)", async () => {
  const ctx = await testContext({ accounts: { juliet: 'secret' }, channelBindings: { 'tls-exporter': EXPORTER } });
  assert.ok(ctx.offeredMechanisms.includes('SCRAM-SHA-256-PLUS'));
  const step = await exchange(createMechanism('SCRAM-SHA-256', ctx)!, juliet('y'));
  assert.deepEqual(step, { kind: 'failure', condition: 'not-authorized', text: 'channel binding downgrade detected' });
});

test("'y' flag when the server offered no -PLUS mechanism succeeds", async () => {
  const ctx = await testContext({ accounts: { juliet: 'secret' } });
  assert.ok(!ctx.offeredMechanisms.some((m) => m.endsWith('-PLUS')));
  const client = juliet('y');
  const step = await exchange(createMechanism('SCRAM-SHA-256', ctx)!, client);
  assert.equal(step.kind, 'success');
  assert.ok(step.kind === 'success' && step.data && client.verifyServerFinal(step.data));
});

test("'n' flag is accepted on a non-PLUS mechanism even when -PLUS was offered", async () => {
  const ctx = await testContext({ accounts: { juliet: 'secret' }, channelBindings: { 'tls-exporter': EXPORTER } });
  assert.equal((await exchange(createMechanism('SCRAM-SHA-256', ctx)!, juliet('n'))).kind, 'success');
});

test("the gs2 header in c= must match client-first: 'y' sent first, 'n,,' echoed in c= fails", async () => {
  // An attacker who rewrites 'y' to 'n' in client-first to hide the downgrade is caught because
  // the client echoes its own gs2 header in c= (RFC 5802 §6).
  const ctx = await testContext({ accounts: { juliet: 'secret' } });
  const client = juliet('y');
  const step = await exchange(createMechanism('SCRAM-SHA-256', ctx)!, client, Buffer.from('n,,'));
  assert.deepEqual(step, { kind: 'failure', condition: 'not-authorized', text: 'channel binding mismatch' });
});

test('createMechanism refuses mechanisms that were not offered on this stream', async () => {
  const ctx = await testContext({ accounts: { juliet: 'secret' } });
  assert.equal(createMechanism('SCRAM-SHA-256-PLUS', ctx), null);
  assert.equal(createMechanism('SCRAM-MD5', { ...ctx, offeredMechanisms: ['SCRAM-MD5'] }), null);
  assert.equal(createMechanism('DIGEST-MD5', ctx), null);
  assert.ok(createMechanism('SCRAM-SHA-1', ctx));
});
