// XEP-0077 registration with a XEP-0158 CAPTCHA (the built-in question-and-answer provider): the
// form carries challenge, sid and answers and no legacy fields; a wrong answer is not-acceptable;
// a challenge cannot be reused; legacy submissions are refused; the right answer registers.
// With captcha = "suspicious" only an address over the soft limit is challenged.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Element } from 'ltx';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { legacyRegister, preAuthStream, rawIq } from '../helpers/raw-iq.ts';
import { connectXmppjs, disconnect } from '../helpers/xmppjs.ts';

const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
const LIMITS = { max_per_address_hour: 1000, max_per_address_day: 1000, max_global_minute: 1000 };
const QUESTIONS = [{ question: 'What colour is a stop light?', answers: ['red'] }];

const condition = (iq: Element) => (iq.getChild('error')?.children.find((c) => typeof c !== 'string' && c.attrs.xmlns === STANZAS && c.name !== 'text') as Element | undefined)?.name;

function fields(reply: Element): Map<string, Element> {
  const x = reply.getChild('query', 'jabber:iq:register')!.getChild('x', 'jabber:x:data')!;
  return new Map(x.getChildren('field').map((f) => [f.attrs.var, f]));
}

function submit(f: Map<string, Element>, username: string, password: string, answer: string): string {
  const hidden = ['challenge', 'sid', 'answers'].map((v) => `<field var="${v}"><value>${f.get(v)?.getChildText('value') ?? ''}</value></field>`).join('');
  return `<query xmlns="jabber:iq:register"><x xmlns="jabber:x:data" type="submit">
    <field var="FORM_TYPE"><value>jabber:iq:register</value></field>${hidden}
    <field var="qa"><value>${answer}</value></field>
    <field var="username"><value>${username}</value></field><field var="password"><value>${password}</value></field></x></query>`;
}

describe('XEP-0077 with a XEP-0158 CAPTCHA', () => {
  let always: RunningServer;
  let suspicious: RunningServer;
  before(async () => {
    [always, suspicious] = await Promise.all([
      startServer({ readyTimeoutMs: 120_000, config: { modules: { register: { enabled: true, ...LIMITS, captcha: 'always', captcha_questions: QUESTIONS } } } }),
      startServer({ readyTimeoutMs: 120_000, config: { modules: { register: { enabled: true, ...LIMITS, captcha: 'suspicious', captcha_soft_limit: 1, captcha_questions: QUESTIONS } } } }),
    ]);
  });
  after(async () => {
    await Promise.all([always?.stop(), suspicious?.stop()]);
  });

  test('the form has challenge, sid (= the get id), answers and the question; no legacy fields', async () => {
    const { raw } = await preAuthStream(always);
    try {
      const reply = await rawIq(raw, `<iq type="get" id="cap-get"><query xmlns="jabber:iq:register"/></iq>`, 'cap-get');
      const f = fields(reply);
      assert.equal(f.get('challenge')?.attrs.type, 'hidden');
      assert.equal(f.get('sid')?.getChildText('value'), 'cap-get');
      assert.equal(f.get('answers')?.getChildText('value'), '1');
      assert.equal(f.get('qa')?.attrs.label, 'What colour is a stop light?');
      assert.ok(f.get('qa')?.getChild('required'));
      const q = reply.getChild('query', 'jabber:iq:register')!;
      assert.equal(q.getChild('username'), undefined, `§6: no legacy fields beside a form with extra required fields: ${reply}`);
    } finally {
      raw.destroy();
    }
  });

  test('a wrong answer is not-acceptable; the challenge cannot be reused; the right answer on a new one registers', async () => {
    const { raw } = await preAuthStream(always);
    try {
      const f = fields(await rawIq(raw, `<iq type="get" id="c1"><query xmlns="jabber:iq:register"/></iq>`, 'c1'));
      const wrong = await rawIq(raw, `<iq type="set" id="c2">${submit(f, 'captchauser', 'captcha password', 'green')}</iq>`, 'c2');
      assert.deepEqual([condition(wrong), wrong.getChild('error')?.attrs.type], ['not-acceptable', 'cancel'], wrong.toString());
      const reused = await rawIq(raw, `<iq type="set" id="c3">${submit(f, 'captchauser', 'captcha password', 'red')}</iq>`, 'c3');
      assert.equal(condition(reused), 'not-acceptable', `single use: ${reused}`);
      const g = fields(await rawIq(raw, `<iq type="get" id="c4"><query xmlns="jabber:iq:register"/></iq>`, 'c4'));
      const ok = await rawIq(raw, `<iq type="set" id="c5">${submit(g, 'captchauser', 'captcha password', 'Red')}</iq>`, 'c5');
      assert.equal(ok.attrs.type, 'result', ok.toString());
    } finally {
      raw.destroy();
    }
    const c = await connectXmppjs({ port: always.ports.c2s, domain: always.domain, username: 'captchauser', password: 'captcha password', mechanism: 'PLAIN' });
    await disconnect(c);
  });

  test('legacy fields cannot answer a CAPTCHA', async () => {
    const { raw } = await preAuthStream(always);
    try {
      const r = legacyRegister('legacybot', 'legacy password');
      assert.equal(condition(await rawIq(raw, r.xml, r.id)), 'not-acceptable');
    } finally {
      raw.destroy();
    }
  });

  test('suspicious: the first registration from an address goes without CAPTCHA, the next one needs it', async () => {
    const first = await preAuthStream(suspicious);
    try {
      const reply = await rawIq(first.raw, `<iq type="get" id="s1"><query xmlns="jabber:iq:register"/></iq>`, 's1');
      assert.equal(fields(reply).get('qa'), undefined, reply.toString());
      const r = legacyRegister('firstone', 'first password');
      assert.equal((await rawIq(first.raw, r.xml, r.id)).attrs.type, 'result');
    } finally {
      first.raw.destroy();
    }
    const second = await preAuthStream(suspicious);
    try {
      const reply = await rawIq(second.raw, `<iq type="get" id="s2"><query xmlns="jabber:iq:register"/></iq>`, 's2');
      assert.ok(fields(reply).get('qa'), `over the soft limit: ${reply}`);
      const r = legacyRegister('secondone', 'second password');
      assert.equal(condition(await rawIq(second.raw, r.xml, r.id)), 'not-acceptable');
    } finally {
      second.raw.destroy();
    }
  });
});
