// Payment Required on MUC entry (docs/payment.md), with @xmpp/client: joining a paid room gets
// auth/not-authorized/payment-required and an invoice (EUR:3.00 for a price of 300); a re-join
// gets the same session; after an admin marks it paid (ad-hoc command) the join succeeds; the
// owner enters free; another user's retry with that session is invalid-session; an expired
// invoice is refused with payment-expired and a fresh one; get-invoice answers as the proto-XEP says.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Element } from 'ltx';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { connectXmppjs, disconnect, expectStanza, nextId, send, type Client } from '../helpers/xmppjs.ts';
import { createInstantRoom, join, MUC, STANZAS } from '../helpers/muc.ts';

const PAY = 'urn:xmpp:payment:0';
const CMD = 'http://jabber.org/protocol/commands';
const NODE = 'urn:parley:payments:mark';
const ACCOUNTS = [{ label: 'SEPA transfer', uri: 'payto://iban/DE89370400440532013000?receiver-name=Example+Ops' }];

const condition = (el: Element) => (el.getChild('error')?.children.find((c) => typeof c !== 'string' && c.attrs.xmlns === STANZAS && c.name !== 'text') as Element | undefined)?.name;

/** Send a join presence (optionally with <payment/>) and return the error presence, or null when joined. */
async function tryJoin(c: Client, room: string, nick: string, payment = ''): Promise<Element | null> {
  await send(c, `<presence to="${room}/${nick}"><x xmlns="${MUC}"/>${payment}</presence>`);
  const el = await expectStanza(c, (s) => s.name === 'presence' && typeof s.attrs.from === 'string' && s.attrs.from.startsWith(room) && (s.attrs.type === 'error' || !!s.getChild('x', `${MUC}#user`)?.getChildren('status').some((x) => x.attrs.code === '110')));
  return el.attrs.type === 'error' ? el : null;
}

describe('Payment Required: paid room entry', () => {
  let server: RunningServer;
  let short: RunningServer;
  let open: Client[] = [];
  const login = async (s: RunningServer, u: string) => {
    const c = await connectXmppjs({ port: s.ports.c2s, domain: s.domain, username: u, password: `${u}-password`, mechanism: 'PLAIN' });
    open.push(c);
    return c;
  };
  const vip = 'vip@conference.localhost';

  before(async () => {
    const payment = (ttl?: number) => ({ accounts: ACCOUNTS, rooms: [{ room: vip, price: { EUR: 300 }, period_days: 30 }], invoice_ttl_seconds: ttl });
    [server, short] = await Promise.all([
      startServer({ readyTimeoutMs: 120_000, config: { admins: ['boss@localhost'], modules: { payment: payment() } } }),
      startServer({ readyTimeoutMs: 120_000, config: { modules: { payment: payment(2) } } }),
    ]);
    for (const s of [server, short]) for (const u of ['owner', 'ann', 'bob', 'boss']) await s.adduser(u, `${u}-password`);
  });
  afterEach(async () => {
    await Promise.all(open.map(disconnect));
    open = [];
  });
  after(async () => {
    await Promise.all([server?.stop(), short?.stop()]);
  });

  test('invoice on join, same session on re-join, entry after the admin marks it paid; others cannot use the session', async () => {
    const owner = await login(server, 'owner');
    await createInstantRoom(owner, vip, 'Owner'); // the owner enters free
    const ann = await login(server, 'ann');
    const declined = await tryJoin(ann, vip, 'Ann');
    assert.ok(declined, 'declined');
    assert.deepEqual([declined.getChild('error')?.attrs.type, condition(declined)], ['auth', 'not-authorized'], declined.toString());
    const err = declined.getChild('error')!;
    assert.ok(err.getChild('payment-required', PAY));
    const inv = err.getChild('invoice', PAY)!;
    const session = inv.attrs.session;
    assert.equal(inv.getChild('option')?.getText().trim(), `payto://iban/DE89370400440532013000?amount=EUR:3.00&message=${session}&receiver-name=Example+Ops`);
    assert.equal((await tryJoin(ann, vip, 'Ann'))?.getChild('error')?.getChild('invoice', PAY)?.attrs.session, session, 'the open invoice is re-sent');

    // The proactive request returns the same open invoice.
    const id = nextId('gi');
    await send(ann, `<iq type="get" id="${id}" to="localhost"><get-invoice xmlns="${PAY}" service="muc-entry" target="${vip}"/></iq>`);
    const gi = await expectStanza(ann, (s) => s.name === 'iq' && s.attrs.id === id);
    assert.equal(gi.getChild('invoice', PAY)?.attrs.session, session, gi.toString());

    // Bob cannot ride on Ann's session.
    const bob = await login(server, 'bob');
    const stolen = await tryJoin(bob, vip, 'Bob', `<payment xmlns="${PAY}" session="${session}"/>`);
    assert.deepEqual([condition(stolen!), stolen!.getChild('error')?.getChild('payment-required', PAY)?.attrs.reason], ['not-acceptable', 'invalid-session']);

    const boss = await login(server, 'boss');
    const cmd = async (body: string) => {
      const i = nextId('mk');
      await send(boss, `<iq type="set" id="${i}" to="localhost">${body}</iq>`);
      return expectStanza(boss, (s) => s.name === 'iq' && s.attrs.id === i);
    };
    const start = await cmd(`<command xmlns="${CMD}" node="${NODE}" action="execute"/>`);
    const sid = start.getChild('command', CMD)!.attrs.sessionid;
    const done = await cmd(`<command xmlns="${CMD}" node="${NODE}" sessionid="${sid}"><x xmlns="jabber:x:data" type="submit"><field var="session"><value>${session}</value></field><field var="state"><value>settled</value></field><field var="ref"><value>SEPA-ROOM-1</value></field></x></command>`);
    assert.equal(done.getChild('command', CMD)?.attrs.status, 'completed', done.toString());

    const joined = await join(ann, vip, 'Ann');
    assert.ok(joined.self);
    // A used session cannot be presented again by someone else either.
    const reuse = await tryJoin(bob, vip, 'Bob', `<payment xmlns="${PAY}" session="${session}"/>`);
    assert.equal(reuse!.getChild('error')?.getChild('payment-required', PAY)?.attrs.reason, 'invalid-session');
  });

  test('get-invoice: unknown service bad-request, free room item-not-found, uncharged service feature-not-implemented; disco shows the features', async () => {
    const ann = await login(server, 'ann');
    const ask = async (attrs: string) => {
      const id = nextId('gi');
      await send(ann, `<iq type="get" id="${id}" to="localhost"><get-invoice xmlns="${PAY}" ${attrs}/></iq>`);
      return condition(await expectStanza(ann, (s) => s.name === 'iq' && s.attrs.id === id));
    };
    assert.equal(await ask('service="coffee"'), 'bad-request');
    assert.equal(await ask('service="muc-entry" target="free@conference.localhost"'), 'item-not-found');
    assert.equal(await ask('service="file-upload"'), 'feature-not-implemented');
    // Disco on the charging server: the three Payment Required features.
    const id = nextId('disco');
    await send(ann, `<iq type="get" id="${id}" to="localhost"><query xmlns="http://jabber.org/protocol/disco#info"/></iq>`);
    const info = await expectStanza(ann, (s) => s.name === 'iq' && s.attrs.id === id);
    const features = info.getChild('query')!.getChildren('feature').map((f) => f.attrs.var);
    for (const f of [PAY, `${PAY}#invoice-request`, `${PAY}#receipt`]) assert.ok(features.includes(f), `${f} in ${features.join(' ')}`);
  });

  test('an expired room invoice is refused with payment-expired and a fresh invoice', async () => {
    const owner = await login(short, 'owner');
    await createInstantRoom(owner, vip, 'Owner');
    const ann = await login(short, 'ann');
    const first = (await tryJoin(ann, vip, 'Ann'))!.getChild('error')!.getChild('invoice', PAY)!.attrs.session;
    await new Promise((r) => setTimeout(r, 2500));
    const paid = await short.cli(['invoice', 'paid', first]);
    assert.equal(paid.code, 1, paid.stdout);
    const retry = (await tryJoin(ann, vip, 'Ann', `<payment xmlns="${PAY}" session="${first}"/>`))!;
    assert.deepEqual([condition(retry), retry.getChild('error')?.getChild('payment-required', PAY)?.attrs.reason], ['not-acceptable', 'payment-expired'], retry.toString());
    const fresh = retry.getChild('error')?.getChild('invoice', PAY)?.attrs.session;
    assert.ok(fresh && fresh !== first);
  });
});
