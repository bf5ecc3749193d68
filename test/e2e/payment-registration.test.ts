// Payment Required (proto-XEP) on in-band registration (docs/payment.md): the submitted form gets
// auth/not-authorized/payment-required with an <invoice/> offering SEPA (with EPC QR) and UPI in
// their own currencies; the username is reserved (same password: same invoice; other: conflict);
// the account cannot log in until an operator marks the invoice paid (CLI, ad-hoc command or the
// signed webhook), then it can, with no retry. An expired invoice is refused; a replayed
// confirmation is refused; bad input stores nothing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { Element } from 'ltx';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { preAuthStream, rawIq } from '../helpers/raw-iq.ts';
import { connectXmppjs, disconnect, expectStanza, loginFailure, nextId, send } from '../helpers/xmppjs.ts';

const PAY = 'urn:xmpp:payment:0';
const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
const CMD = 'http://jabber.org/protocol/commands';
const SECRET = 'a-webhook-secret-that-is-long-enough-0123456789';
const LIMITS = { enabled: true, max_per_address_hour: 1000, max_per_address_day: 1000, max_global_minute: 1000, max_iqs_per_stream: 50 };
const ACCOUNTS = [
  { label: 'SEPA transfer', uri: 'payto://iban/DE89370400440532013000?receiver-name=Example+Ops' },
  { label: 'UPI', uri: 'payto://upi/exampleops@examplebank' },
];

const condition = (el: Element) => (el.getChild('error')?.children.find((c) => typeof c !== 'string' && c.attrs.xmlns === STANZAS && c.name !== 'text') as Element | undefined)?.name;
const payReason = (el: Element) => el.getChild('error')?.getChild('payment-required', PAY);

async function submit(server: RunningServer, username: string, password: string, extra = ''): Promise<Element> {
  const { raw } = await preAuthStream(server);
  try {
    const id = nextId('pay');
    const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
    return await rawIq(raw, `<iq type='set' id='${id}'><query xmlns='jabber:iq:register'><username>${esc(username)}</username><password>${esc(password)}</password>${extra}</query></iq>`, id);
  } finally {
    raw.destroy();
  }
}

function invoiceOf(reply: Element): Element {
  const inv = reply.getChild('error')?.getChild('invoice', PAY);
  assert.ok(inv, `no invoice in ${reply}`);
  return inv;
}

function webhook(server: RunningServer, body: string, o: { ts?: number; secret?: string } = {}): Promise<{ status: number; json: Record<string, unknown>; raw: RequestInit & { ts: string; sig: string } }> {
  const ts = String(o.ts ?? Math.floor(Date.now() / 1000));
  const sig = 'sha256=' + createHmac('sha256', o.secret ?? SECRET).update(`${ts}.${body}`).digest('hex');
  return post(server, body, ts, sig);
}

async function post(server: RunningServer, body: string, ts: string, sig: string) {
  const r = await fetch(`http://127.0.0.1:${server.ports.http}/_parley/payments/manual`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-parley-timestamp': ts, 'x-parley-signature': sig } });
  return { status: r.status, json: (await r.json()) as Record<string, unknown>, raw: { ts, sig } as RequestInit & { ts: string; sig: string } };
}

describe('Payment Required: paid in-band registration', () => {
  let server: RunningServer;
  let short: RunningServer;
  const login = (s: RunningServer, username: string, password: string) => connectXmppjs({ port: s.ports.c2s, domain: s.domain, username, password, mechanism: 'PLAIN' });

  before(async () => {
    const payment = { accounts: ACCOUNTS, registration_price: { EUR: 500, INR: 45000 }, webhook_secret: SECRET };
    [server, short] = await Promise.all([
      startServer({ readyTimeoutMs: 120_000, config: { admins: ['boss@localhost'], modules: { register: LIMITS, payment } } }),
      startServer({ readyTimeoutMs: 120_000, config: { modules: { register: LIMITS, payment: { ...payment, invoice_ttl_seconds: 2 } } } }),
    ]);
    await server.adduser('boss', 'boss-password');
  });
  after(async () => {
    await Promise.all([server?.stop(), short?.stop()]);
  });

  test('registering gets the invoice; the account logs in only after `parley invoice paid`', async () => {
    const reply = await submit(server, 'payer1', 'payer1 password');
    assert.deepEqual([reply.attrs.type, reply.getChild('error')?.attrs.type, condition(reply)], ['error', 'auth', 'not-authorized'], reply.toString());
    assert.ok(payReason(reply), 'payment-required condition');
    assert.equal(reply.getChild('query'), undefined, 'the password is never echoed');
    const inv = invoiceOf(reply);
    const session = inv.attrs.session;
    assert.match(session, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.ok(Date.parse(inv.attrs.expires) > Date.now() + 2 * 86_400_000, inv.attrs.expires);
    const options = inv.getChildren('option');
    assert.deepEqual(options.map((o) => o.attrs.label), ['SEPA transfer', 'UPI']);
    assert.equal(options[0].getText().trim(), `payto://iban/DE89370400440532013000?amount=EUR:5.00&message=${session}&receiver-name=Example+Ops`);
    assert.match(options[0].getChildText('qr') ?? '', new RegExp(`^BCD\\n002\\n1\\nSCT\\n\\nExample Ops\\nDE89370400440532013000\\nEUR5.00\\n\\n\\n${session}$`));
    assert.equal(options[1].getText().trim(), `payto://upi/exampleops@examplebank?amount=INR:450.00&message=${session}`);

    // Reserved: the same submission gets the same invoice; another password is a conflict.
    assert.equal(invoiceOf(await submit(server, 'payer1', 'payer1 password')).attrs.session, session);
    assert.equal(condition(await submit(server, 'payer1', 'someone else pw')), 'conflict');
    await loginFailure({ port: server.ports.c2s, domain: server.domain, username: 'payer1', password: 'payer1 password', mechanism: 'PLAIN' });

    const list = await server.cli(['invoice', 'list', '--state', 'open']);
    assert.match(list.stdout, new RegExp(`${session}\\s+open\\s+registration\\s+EUR 5.00 \\| INR 450.00`));
    const paid = await server.cli(['invoice', 'paid', session, '--currency', 'EUR', '--ref', 'BANK-E2E-1']);
    assert.equal(paid.code, 0, paid.stderr);
    assert.match(paid.stdout, /settled/);
    const c = await login(server, 'payer1', 'payer1 password');
    await disconnect(c);
    // The operator repeats the command: nothing changes.
    const again = await server.cli(['invoice', 'paid', session, '--currency', 'EUR', '--ref', 'BANK-E2E-1']);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /already recorded/);
    assert.match((await server.cli(['invoice', 'list'])).stdout, new RegExp(`${session}\\s+consumed`));
  });

  test('an expired invoice is refused: marking it paid grants nothing, a retry with it gets payment-expired and a new invoice', async () => {
    const first = invoiceOf(await submit(short, 'late1', 'late1 password'));
    await new Promise((r) => setTimeout(r, 2500));
    const paid = await short.cli(['invoice', 'paid', first.attrs.session, '--currency', 'EUR']);
    assert.equal(paid.code, 1);
    assert.match(paid.stderr, /expired.*refund queue/);
    await loginFailure({ port: short.ports.c2s, domain: short.domain, username: 'late1', password: 'late1 password', mechanism: 'PLAIN' });
    const retry = await submit(short, 'late1', 'late1 password', `<payment xmlns='${PAY}' session='${first.attrs.session}'/>`);
    assert.deepEqual([retry.getChild('error')?.attrs.type, condition(retry), payReason(retry)?.attrs.reason], ['modify', 'not-acceptable', 'payment-expired'], retry.toString());
    assert.notEqual(invoiceOf(retry).attrs.session, first.attrs.session, 'a fresh invoice');
  });

  test('a retry with a session that is not this registration\'s is invalid-session; unpaid is the same invoice again', async () => {
    const mine = invoiceOf(await submit(server, 'payer2', 'payer2 password')).attrs.session;
    const other = invoiceOf(await submit(server, 'payer3', 'payer3 password')).attrs.session;
    const wrong = await submit(server, 'payer2', 'payer2 password', `<payment xmlns='${PAY}' session='${other}'/>`);
    assert.equal(payReason(wrong)?.attrs.reason, 'invalid-session', wrong.toString());
    const unpaid = await submit(server, 'payer2', 'payer2 password', `<payment xmlns='${PAY}' session='${mine}'/>`);
    assert.deepEqual([condition(unpaid), payReason(unpaid)?.attrs.reason, invoiceOf(unpaid).attrs.session], ['not-authorized', 'payment-required', mine]);
  });

  test('signed webhook: bad HMAC 401, bad input 400/422 storing nothing, valid settles, an exact replay is refused (409), a new request with the same ref is idempotent', async () => {
    const session = invoiceOf(await submit(server, 'hooked', 'hooked password')).attrs.session;
    const body = JSON.stringify({ session, state: 'settled', currency: 'EUR', amountMinor: 500, ref: 'SEPA-E2E-7' });
    assert.equal((await webhook(server, body, { secret: 'not-the-secret-not-the-secret-not-the-secret' })).status, 401);
    assert.equal((await webhook(server, body, { ts: Math.floor(Date.now() / 1000) - 3600 })).status, 401, 'stale timestamp');
    const badCurrency = await webhook(server, JSON.stringify({ session, state: 'settled', currency: 'EUX', amountMinor: 500, ref: 'x1' }));
    assert.deepEqual([badCurrency.status, badCurrency.json.error], [400, 'currency "EUX" is not an ISO 4217 code']);
    const otherCurrency = await webhook(server, JSON.stringify({ session, state: 'settled', currency: 'USD', amountMinor: 500, ref: 'x2' }));
    assert.equal(otherCurrency.status, 422);
    const missing = await webhook(server, JSON.stringify({ session, currency: 'EUR' }));
    assert.deepEqual([missing.status, missing.json.error], [400, 'missing required field(s): state, ref']);
    assert.match((await server.cli(['invoice', 'list'])).stdout, new RegExp(`${session}\\s+open`), 'nothing stored by bad requests');
    await loginFailure({ port: server.ports.c2s, domain: server.domain, username: 'hooked', password: 'hooked password', mechanism: 'PLAIN' });

    const ok = await webhook(server, body);
    assert.deepEqual([ok.status, ok.json.result], [200, 'applied'], JSON.stringify(ok.json));
    await disconnect(await login(server, 'hooked', 'hooked password'));
    const replay = await post(server, body, ok.raw.ts, ok.raw.sig);
    assert.deepEqual([replay.status, replay.json.result], [409, 'replayed']);
    const resent = await webhook(server, body, { ts: Math.floor(Date.now() / 1000) + 1 });
    assert.deepEqual([resent.status, resent.json.result], [200, 'duplicate']);
  });

  test('admin ad-hoc command: a form missing required fields is bad-request; a complete one settles the registration', async () => {
    const session = invoiceOf(await submit(server, 'viaadhoc', 'viaadhoc password')).attrs.session;
    const boss = await login(server, 'boss', 'boss-password');
    try {
      const iq = async (body: string) => {
        const id = nextId('mark');
        await send(boss, `<iq type="set" id="${id}" to="${server.domain}">${body}</iq>`);
        return expectStanza(boss, (el) => el.name === 'iq' && el.attrs.id === id);
      };
      const node = 'urn:parley:payments:mark';
      const first = await iq(`<command xmlns="${CMD}" node="${node}" action="execute"/>`);
      const sid = first.getChild('command', CMD)?.attrs.sessionid;
      assert.ok(first.getChild('command', CMD)?.getChild('x', 'jabber:x:data'), first.toString());
      const form = (fields: string) => `<command xmlns="${CMD}" node="${node}" sessionid="${sid}"><x xmlns="jabber:x:data" type="submit"><field var="FORM_TYPE"><value>${node}</value></field>${fields}</x></command>`;
      const incomplete = await iq(form(`<field var="session"><value>${session}</value></field><field var="state"><value>settled</value></field>`));
      assert.deepEqual([condition(incomplete), incomplete.getChild('error')?.getChild('bad-payload', CMD) !== undefined], ['bad-request', true], incomplete.toString());
      assert.match((await server.cli(['invoice', 'list'])).stdout, new RegExp(`${session}\\s+open`));
      const again = await iq(`<command xmlns="${CMD}" node="${node}" action="execute"/>`);
      const sid2 = again.getChild('command', CMD)?.attrs.sessionid;
      const done = await iq(form(`<field var="session"><value>${session}</value></field><field var="state"><value>settled</value></field><field var="ref"><value>ADHOC-1</value></field><field var="currency"><value>INR</value></field>`).replace(sid!, sid2!));
      assert.equal(done.getChild('command', CMD)?.attrs.status, 'completed', done.toString());
    } finally {
      await disconnect(boss);
    }
    await disconnect(await login(server, 'viaadhoc', 'viaadhoc password'));
  });

});
