// XEP-0158 CAPTCHA on registration with the Payment Required alternative (docs/payment.md): the
// form offers the question and a payment field (var urn:xmpp:payment:0, answers = 1, neither
// required) with the <invoice/> inside <query/>; a wrong answer fails, the right one registers;
// an unpaid session fails; a paid session registers without answering, once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Element } from 'ltx';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { preAuthStream, rawIq } from '../helpers/raw-iq.ts';
import { connectXmppjs, disconnect } from '../helpers/xmppjs.ts';

const PAY = 'urn:xmpp:payment:0';
const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
const condition = (iq: Element) => (iq.getChild('error')?.children.find((c) => typeof c !== 'string' && c.attrs.xmlns === STANZAS && c.name !== 'text') as Element | undefined)?.name;

function form(reply: Element): { fields: Map<string, Element>; invoice?: Element } {
  const q = reply.getChild('query', 'jabber:iq:register')!;
  const x = q.getChild('x', 'jabber:x:data')!;
  return { fields: new Map(x.getChildren('field').map((f) => [f.attrs.var, f])), invoice: q.getChild('invoice', PAY) };
}

function submit(f: Map<string, Element>, user: string, o: { answer?: string; session?: string }): string {
  const hidden = ['challenge', 'sid', 'answers'].map((v) => `<field var="${v}"><value>${f.get(v)?.getChildText('value') ?? ''}</value></field>`).join('');
  return `<query xmlns="jabber:iq:register"><x xmlns="jabber:x:data" type="submit"><field var="FORM_TYPE"><value>jabber:iq:register</value></field>${hidden}
    ${o.answer !== undefined ? `<field var="qa"><value>${o.answer}</value></field>` : ''}${o.session ? `<field var="${PAY}"><value>${o.session}</value></field>` : ''}
    <field var="username"><value>${user}</value></field><field var="password"><value>${user} password</value></field></x></query>`;
}

describe('XEP-0158 CAPTCHA with the Payment Required alternative', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ readyTimeoutMs: 120_000, config: { modules: {
      register: { enabled: true, captcha: 'always', captcha_questions: [{ question: 'What colour is a stop light?', answers: ['red'] }], max_per_address_hour: 1000, max_per_address_day: 1000, max_global_minute: 1000, max_iqs_per_stream: 50 },
      payment: { accounts: [{ label: 'SEPA transfer', uri: 'payto://iban/DE89370400440532013000' }], captcha_price: { EUR: 100 } },
    } } });
  });
  after(async () => {
    await server?.stop();
  });

  test('the form offers the question and the payment field with equal standing, and the invoice in <query/>', async () => {
    const { raw } = await preAuthStream(server);
    try {
      const { fields, invoice } = form(await rawIq(raw, `<iq type="get" id="g1"><query xmlns="jabber:iq:register"/></iq>`, 'g1'));
      assert.equal(fields.get('answers')?.getChildText('value'), '1');
      assert.equal(fields.get('qa')?.getChild('required'), undefined);
      assert.equal(fields.get(PAY)?.attrs.type, 'text-single');
      assert.match(invoice?.getChild('option')?.getText() ?? '', /^payto:\/\/iban\/DE89370400440532013000\?amount=EUR:1\.00&message=[0-9a-f-]{36}$/);
    } finally {
      raw.destroy();
    }
  });

  test('a wrong answer fails and the right one succeeds', async () => {
    const { raw } = await preAuthStream(server);
    try {
      const a = form(await rawIq(raw, `<iq type="get" id="w1"><query xmlns="jabber:iq:register"/></iq>`, 'w1'));
      const wrong = await rawIq(raw, `<iq type="set" id="w2">${submit(a.fields, 'qauser', { answer: 'blue' })}</iq>`, 'w2');
      assert.equal(condition(wrong), 'not-acceptable', wrong.toString());
      const b = form(await rawIq(raw, `<iq type="get" id="w3"><query xmlns="jabber:iq:register"/></iq>`, 'w3'));
      const right = await rawIq(raw, `<iq type="set" id="w4">${submit(b.fields, 'qauser', { answer: ' RED ' })}</iq>`, 'w4');
      assert.equal(right.attrs.type, 'result', right.toString());
    } finally {
      raw.destroy();
    }
    await disconnect(await connectXmppjs({ port: server.ports.c2s, domain: server.domain, username: 'qauser', password: 'qauser password', mechanism: 'PLAIN' }));
  });

  test('paying instead of answering: unpaid fails, paid registers, the session works once', async () => {
    const { raw } = await preAuthStream(server);
    try {
      const a = form(await rawIq(raw, `<iq type="get" id="p1"><query xmlns="jabber:iq:register"/></iq>`, 'p1'));
      const session = a.invoice!.attrs.session;
      const unpaid = await rawIq(raw, `<iq type="set" id="p2">${submit(a.fields, 'payuser', { session })}</iq>`, 'p2');
      assert.deepEqual([condition(unpaid), unpaid.getChild('error')?.getChild('payment-required', PAY)?.attrs.reason], ['not-acceptable', 'verification-failed'], unpaid.toString());
      const paid = await server.cli(['invoice', 'paid', session]);
      assert.equal(paid.code, 0, paid.stderr);
      const ok = await rawIq(raw, `<iq type="set" id="p3">${submit(a.fields, 'payuser', { session })}</iq>`, 'p3');
      assert.equal(ok.attrs.type, 'result', ok.toString());
    } finally {
      raw.destroy();
    }
    const again = await preAuthStream(server);
    try {
      const b = form(await rawIq(again.raw, `<iq type="get" id="p4"><query xmlns="jabber:iq:register"/></iq>`, 'p4'));
      // The first form's session, presented with a new challenge: bound to its own challenge only.
      const first = (await server.cli(['invoice', 'list', '--state', 'consumed'])).stdout.split(/\s+/)[0];
      const reuse = await rawIq(again.raw, `<iq type="set" id="p5">${submit(b.fields, 'payuser2', { session: first })}</iq>`, 'p5');
      assert.equal(reuse.getChild('error')?.getChild('payment-required', PAY)?.attrs.reason, 'invalid-session', reuse.toString());
    } finally {
      again.raw.destroy();
    }
    await disconnect(await connectXmppjs({ port: server.ports.c2s, domain: server.domain, username: 'payuser', password: 'payuser password', mechanism: 'PLAIN' }));
  });
});
