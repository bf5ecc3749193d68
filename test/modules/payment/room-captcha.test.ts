// The arithmetic XEP-0158 challenge kind and room passes: single use, expiring, bound to the user
// it was issued to; only a salted hash of the answer is held.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FormValues } from '../../../src/forms/index.ts';
import { ArithmeticCaptcha, RoomChallenges } from '../../../src/modules/payment/room-captcha.ts';

const WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];
const solve = (label: string) => {
  const m = /What is (\w+) plus (\w+)\?/.exec(label)!;
  return String(WORDS.indexOf(m[1]) + WORDS.indexOf(m[2]));
};
const values = (o: Record<string, string>) => new FormValues(new Map(Object.entries(o).map(([k, v]) => [k, [v]])));

test('arithmetic challenges: right answer once, wrong fails, expired fails, the answer is not kept in clear', () => {
  let now = 0;
  const p = new ArithmeticCaptcha(1000, 100, () => now);
  const a = p.create();
  const answer = solve(a.fields[0].label!);
  assert.ok(!JSON.stringify([...(p as unknown as { pending: Map<string, unknown> }).pending.values()]).includes(`"${answer}"`));
  assert.equal(p.check(a.id, values({ qa: ` ${answer} ` })), true);
  assert.equal(p.check(a.id, values({ qa: answer })), false, 'single use');
  const b = p.create();
  assert.equal(p.check(b.id, values({ qa: String(Number(solve(b.fields[0].label!)) + 1) })), false);
  const c = p.create();
  now = 1000;
  assert.equal(p.check(c.id, values({ qa: solve(c.fields[0].label!) })), false, 'expired');
});

test('room passes: bound to the user and room the challenge was issued for, expiring', () => {
  let now = 0;
  const rc = new RoomChallenges(['Quiet@conference.example'], new ArithmeticCaptcha(), 5000, () => now);
  assert.equal(rc.required('quiet@conference.example'), true);
  assert.equal(rc.required('other@conference.example'), false);
  const c = rc.create('ann@example', 'quiet@conference.example');
  assert.equal(rc.answer('bob@example', values({ challenge: c.id, qa: solve(c.fields[0].label!) })), false, 'not Bob\'s challenge');
  const d = rc.create('ann@example', 'quiet@conference.example');
  assert.equal(rc.answer('ann@example', values({ challenge: d.id, qa: solve(d.fields[0].label!) })), true);
  assert.equal(rc.passed('ann@example', 'quiet@conference.example'), true);
  assert.equal(rc.passed('bob@example', 'quiet@conference.example'), false);
  now = 5000;
  assert.equal(rc.passed('ann@example', 'quiet@conference.example'), false, 'passes expire');
});
