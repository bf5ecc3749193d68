import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HookBus } from '../../src/hooks/bus.ts';
import { StanzaError } from '../../src/stanza/errors.ts';

type Ev = { ping: { n: number[] } };

test('handlers run by priority, higher first, ties in registration order', async () => {
  const bus = new HookBus<Ev>();
  const seen: string[] = [];
  bus.on('ping', () => void seen.push('low'), -1);
  bus.on('ping', () => void seen.push('a'));
  bus.on('ping', () => void seen.push('b'));
  bus.on('ping', () => void seen.push('high'), 10);
  assert.equal(await bus.fire('ping', { n: [] }), false);
  assert.deepEqual(seen, ['high', 'a', 'b', 'low']);
});

test('returning true consumes the event', async () => {
  const bus = new HookBus<Ev>();
  let later = false;
  bus.on('ping', () => true, 5);
  bus.on('ping', () => void (later = true));
  assert.equal(await bus.fire('ping', { n: [] }), true);
  assert.equal(later, false);
});

test('a throwing handler is reported and skipped; StanzaError propagates', async () => {
  const errors: string[] = [];
  const bus = new HookBus<Ev>((event) => errors.push(event));
  let ran = false;
  const off = bus.on('ping', () => { throw new Error('boom'); }, 1);
  bus.on('ping', () => void (ran = true));
  await bus.fire('ping', { n: [] });
  assert.deepEqual(errors, ['ping']);
  assert.equal(ran, true);
  off();
  bus.on('ping', () => { throw new StanzaError('forbidden'); }, 2);
  await assert.rejects(bus.fire('ping', { n: [] }), (e: unknown) => e instanceof StanzaError && e.condition === 'forbidden');
});

test('unsubscribe removes only that handler', async () => {
  const bus = new HookBus<Ev>();
  const seen: number[] = [];
  const off = bus.on('ping', () => void seen.push(1));
  bus.on('ping', () => void seen.push(2));
  off();
  await bus.fire('ping', { n: [] });
  assert.deepEqual(seen, [2]);
});
