// XEP-0158 question-and-answer CAPTCHA: single use, bound to the sid, expiring, answers compared
// case-insensitively; and the store behind it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formValues } from '../../../src/forms/index.ts';
import { QaCaptcha, SingleUseStore } from '../../../src/modules/register/captcha.ts';

const values = (v: Record<string, string>) => formValues({ type: 'submit', fields: Object.entries(v).map(([k, x]) => ({ var: k, values: [x] })) });
const ctx = { address: '192.0.2.1', sid: 'reg1', domain: 'example.org' };

describe('QaCaptcha', () => {
  test('asks one of the questions in a required qa field', () => {
    const qa = new QaCaptcha([{ question: 'Colour of a stop light?', answers: ['red'] }]);
    const c = qa.create(ctx);
    assert.match(c.id, /^[0-9a-f]{24}$/);
    assert.deepEqual(c.fields, [{ var: 'qa', type: 'text-single', label: 'Colour of a stop light?', required: true, values: [] }]);
  });

  test('a right answer (any case, trimmed) with the right sid passes, once', () => {
    const qa = new QaCaptcha([{ question: 'q', answers: ['Red', 'rouge'] }]);
    const { id } = qa.create(ctx);
    assert.equal(qa.check(id, values({ sid: 'reg1', qa: '  RED ' })), true);
    assert.equal(qa.check(id, values({ sid: 'reg1', qa: 'red' })), false, 'single use');
    const second = qa.create(ctx);
    assert.equal(qa.check(second.id, values({ sid: 'reg1', qa: 'rouge' })), true);
  });

  test('a wrong answer, a wrong sid or an empty answer fails and burns the challenge', () => {
    const qa = new QaCaptcha([{ question: 'q', answers: ['red'] }]);
    for (const v of [{ sid: 'reg1', qa: 'green' }, { sid: 'other', qa: 'red' }, { sid: 'reg1', qa: '' }]) {
      const { id } = qa.create(ctx);
      assert.equal(qa.check(id, values(v)), false, JSON.stringify(v));
      assert.equal(qa.check(id, values({ sid: 'reg1', qa: 'red' })), false, 'gone after a failed try');
    }
    assert.equal(qa.check('not-issued', values({ sid: 'reg1', qa: 'red' })), false);
  });

  test('expired challenges fail', () => {
    let now = 0;
    const qa = new QaCaptcha([{ question: 'q', answers: ['red'] }], 300_000, 100, () => now);
    const { id } = qa.create(ctx);
    now = 300_001;
    assert.equal(qa.check(id, values({ sid: 'reg1', qa: 'red' })), false);
  });

  test('needs questions with answers', () => {
    assert.throws(() => new QaCaptcha([]));
    assert.throws(() => new QaCaptcha([{ question: 'q', answers: [] }]));
  });
});

test('SingleUseStore keeps at most max pending items, dropping the oldest', () => {
  const s = new SingleUseStore<number>(1000, 2);
  const a = s.put(1);
  const b = s.put(2);
  const c = s.put(3);
  assert.equal(s.take(a), undefined);
  assert.equal(s.take(b), 2);
  assert.equal(s.take(c), 3);
  assert.equal(s.take(c), undefined);
});
