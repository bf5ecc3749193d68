// The room mailbox: strict order, and consecutive groupchat tasks prepared together (their durable
// steps start in one turn) but delivered in arrival order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Mailbox } from '../../../src/modules/muc/mailbox.ts';

const tick = () => new Promise((r) => setImmediate(r));

test('tasks run one at a time in order, errors do not stop the queue', async () => {
  const errors: unknown[] = [];
  const box = new Mailbox((e) => errors.push(e));
  const log: string[] = [];
  box.push({ run: async () => { await tick(); log.push('a'); } });
  box.push({ run: async () => { throw new Error('boom'); } });
  box.push({ run: async () => { log.push('b'); } });
  await box.idle();
  assert.deepEqual(log, ['a', 'b']);
  assert.equal(errors.length, 1);
});

test('consecutive prepared tasks start together and deliver in order', async () => {
  const box = new Mailbox(() => {});
  const started: number[] = [];
  const delivered: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const msg = (n: number, delay: number) => ({
    prepare: async () => {
      started.push(n);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, delay));
      inFlight--;
      return async () => void delivered.push(n);
    },
  });
  box.push({ run: async () => { await tick(); } });
  box.push(msg(1, 30));
  box.push(msg(2, 1));
  box.push(msg(3, 10));
  box.push({ run: async () => void delivered.push(99) });
  await box.idle();
  assert.deepEqual(started, [1, 2, 3]);
  assert.equal(maxInFlight, 3, 'prepared concurrently');
  assert.deepEqual(delivered, [1, 2, 3, 99], 'delivered in arrival order, before later tasks');
});

test('a failed prepare skips that message only', async () => {
  const box = new Mailbox(() => {});
  const delivered: number[] = [];
  box.push({ prepare: async () => async () => void delivered.push(1) });
  box.push({ prepare: async () => { throw new Error('no'); } });
  box.push({ prepare: async () => async () => void delivered.push(3) });
  await box.idle();
  assert.deepEqual(delivered, [1, 3]);
});
