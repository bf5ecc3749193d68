// XEP-0077 for a logged-in user, per docs/registration.md: what is on file (§3.1 <registered/>,
// password never disclosed), password change (§3.3: other sessions end with stream error reset,
// the old password stops working, empty passwords never clear it, the §3.3 form placement
// decision), and cancellation (§3.2: result, then not-authorized to every session, all stored
// rows gone, the username quarantined).
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Element } from 'ltx';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { userRows } from '../helpers/sqlite-rows.ts';
import { legacyRegister, preAuthStream, rawIq, registerInBand } from '../helpers/raw-iq.ts';
import { connectXmppjs, disconnect, expectDisconnect, expectStanza, loginFailure, nextId, send, sync, type Client } from '../helpers/xmppjs.ts';

const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
const REG = 'jabber:iq:register';
const READY_MS = 120_000;
// Accounts are created in-band (no CLI process per account), so every server has IBR on.
const IBR = { enabled: true, max_per_address_hour: 1000, max_per_address_day: 1000, max_global_minute: 1000 };

function condition(iq: Element): string | undefined {
  const e = iq.getChild('error');
  return (e?.children.find((c) => typeof c !== 'string' && c.attrs.xmlns === STANZAS && c.name !== 'text') as Element | undefined)?.name;
}

async function iq(c: Client, body: string, type: 'get' | 'set' = 'set', to?: string): Promise<Element> {
  const id = nextId('reg');
  await send(c, `<iq type="${type}" id="${id}"${to ? ` to="${to}"` : ''}>${body}</iq>`);
  return expectStanza(c, (el) => el.name === 'iq' && el.attrs.id === id && (el.attrs.type === 'result' || el.attrs.type === 'error'));
}

const changeForm = (fields: Record<string, string>, formType = 'jabber:iq:register:changepassword') =>
  `<query xmlns="${REG}"><x xmlns="jabber:x:data" type="submit"><field var="FORM_TYPE" type="hidden"><value>${formType}</value></field>${
    Object.entries(fields).map(([k, v]) => `<field var="${k}"><value>${v}</value></field>`).join('')}</x></query>`;

describe('XEP-0077 for registered users', () => {
  let plain: RunningServer; // default policies
  let strict: RunningServer; // old password required for change, password required for cancel
  let legacy: RunningServer; // old password required, legacy error-form placement on
  let open: Client[] = [];

  const login = async (server: RunningServer, username: string, password: string, resource?: string) => {
    const c = await connectXmppjs({ port: server.ports.c2s, domain: server.domain, username, password, resource, mechanism: 'PLAIN' });
    open.push(c);
    return c;
  };

  before(async () => {
    [plain, strict, legacy] = await Promise.all([
      startServer({ readyTimeoutMs: READY_MS, config: { modules: { register: IBR } } }),
      startServer({ readyTimeoutMs: READY_MS, config: { modules: { register: { ...IBR, change_password_requires_old: true, cancel_requires_password: true } } } }),
      startServer({ readyTimeoutMs: READY_MS, config: { modules: { register: { ...IBR, change_password_requires_old: true, legacy_error_form: true } } } }),
    ]);
    await Promise.all([
      ...['ann', 'bea', 'cid', 'dan', 'eve', 'fay', 'jon', 'kim'].map((u) => registerInBand(plain, u, `${u}-password-1`)),
      ...['gus', 'hal', 'ivy'].map((u) => registerInBand(strict, u, `${u}-password-1`)),
      registerInBand(legacy, 'ida', 'ida-password-1'),
    ]);
  });
  afterEach(async () => {
    await Promise.all(open.map(disconnect));
    open = [];
  });
  after(async () => {
    await Promise.all([plain?.stop(), strict?.stop(), legacy?.stop()]);
  });

  test('§3.1 get: <registered/>, the username, an empty <password/> and the change-password form', async () => {
    const ann = await login(plain, 'ann', 'ann-password-1');
    const reply = await iq(ann, `<query xmlns="${REG}"/>`, 'get', plain.domain);
    const q = reply.getChild('query', REG)!;
    assert.ok(q.getChild('registered'), reply.toString());
    assert.equal(q.getChildText('username'), 'ann');
    assert.equal(q.getChild('password')?.getText(), '', 'the password is never disclosed');
    assert.doesNotMatch(reply.toString(), /ann-password-1/);
    const x = q.getChild('x', 'jabber:x:data')!;
    assert.deepEqual(x.getChildren('field').map((f) => f.attrs.var), ['FORM_TYPE', 'username', 'old_password', 'password']);
    assert.equal(x.getChildren('field')[0].getChildText('value'), 'jabber:iq:register:changepassword');
  });

  test('§3.3 change: result, the other session gets stream error reset, the old password fails, the new works', async () => {
    const bea = await login(plain, 'bea', 'bea-password-1', 'desk');
    const other = await login(plain, 'bea', 'bea-password-1', 'phone');
    const reset = expectDisconnect(other, 10_000);
    const reply = await iq(bea, `<query xmlns="${REG}"><username>bea</username><password>bea-password-2</password></query>`);
    assert.equal(reply.attrs.type, 'result', reply.toString());
    assert.equal(await reset, 'reset');
    await sync(bea, plain.domain); // the changing session itself stays
    assert.equal((await loginFailure({ port: plain.ports.c2s, domain: plain.domain, username: 'bea', password: 'bea-password-1', mechanism: 'PLAIN' })).condition, 'not-authorized');
    await login(plain, 'bea', 'bea-password-2');
  });

  test('§3.3 change with a SCRAM login afterwards: the credentials are re-derived', async () => {
    const cid = await login(plain, 'cid', 'cid-password-1');
    assert.equal((await iq(cid, `<query xmlns="${REG}"><username>cid@${plain.domain}</username><password>cid-password-2</password></query>`)).attrs.type, 'result');
    const scram = await connectXmppjs({ port: plain.ports.c2s, domain: plain.domain, username: 'cid', password: 'cid-password-2', mechanism: 'SCRAM-SHA-1' });
    open.push(scram);
  });

  test('§3.3: an empty <password/> is not-acceptable and keeps the password', async () => {
    const dan = await login(plain, 'dan', 'dan-password-1');
    const reply = await iq(dan, `<query xmlns="${REG}"><username>dan</username><password/></query>`);
    assert.equal(condition(reply), 'not-acceptable', reply.toString());
    assert.equal(reply.getChild('error')?.attrs.code, '406');
    await login(plain, 'dan', 'dan-password-1');
  });

  test('another user\'s username: not-authorized, nothing changes', async () => {
    const eve = await login(plain, 'eve', 'eve-password-1');
    const reply = await iq(eve, `<query xmlns="${REG}"><username>fay</username><password>stolen-password</password></query>`);
    assert.equal(condition(reply), 'not-authorized', reply.toString());
    await login(plain, 'fay', 'fay-password-1');
  });

  test('§3.3 decision, strict: a legacy change lacking the old password gets the form inside <error/>, and only <error/>', async () => {
    const gus = await login(strict, 'gus', 'gus-password-1');
    const reply = await iq(gus, `<query xmlns="${REG}"><username>gus</username><password>gus-password-2</password></query>`);
    assert.equal(condition(reply), 'not-authorized', reply.toString());
    assert.equal(reply.getChild('error')?.attrs.type, 'auth');
    assert.deepEqual(reply.children.filter((c) => typeof c !== 'string').map((c) => (c as Element).name), ['error'], `RFC 6120 §8.3.1: ${reply}`);
    const form = reply.getChild('error')!.getChild('query', REG)?.getChild('x', 'jabber:x:data');
    assert.ok(form, `form at error/query/x: ${reply}`);
    assert.ok(form.getChildren('field').some((f) => f.attrs.var === 'old_password' && f.getChild('required')), reply.toString());
    assert.doesNotMatch(reply.toString(), /gus-password-2/, 'the submitted password is not echoed');
  });

  test('§3.3 decision, legacy mode: the form is also beside <error/>', async () => {
    const ida = await login(legacy, 'ida', 'ida-password-1');
    const reply = await iq(ida, `<query xmlns="${REG}"><username>ida</username><password>ida-password-2</password></query>`);
    assert.equal(condition(reply), 'not-authorized', reply.toString());
    assert.ok(reply.getChild('query', REG)?.getChild('x', 'jabber:x:data'), `form at iq/query/x: ${reply}`);
    assert.ok(reply.getChild('error')!.getChild('query', REG)?.getChild('x', 'jabber:x:data'), `and at error/query/x: ${reply}`);
  });

  test('§3.3 form: a wrong old password is not-authorized; the right one changes it and resets the other session', async () => {
    const hal = await login(strict, 'hal', 'hal-password-1', 'one');
    const other = await login(strict, 'hal', 'hal-password-1', 'two');
    const wrong = await iq(hal, changeForm({ username: 'hal', old_password: 'not-hal-password', password: 'hal-password-2' }));
    assert.equal(condition(wrong), 'not-authorized', wrong.toString());
    const reset = expectDisconnect(other, 10_000);
    const ok = await iq(hal, changeForm({ username: `hal@${strict.domain}`, old_password: 'hal-password-1', password: 'hal-password-2' }));
    assert.equal(ok.attrs.type, 'result', ok.toString());
    assert.equal(await reset, 'reset');
    await login(strict, 'hal', 'hal-password-2');
  });

  test('§3.2 cancel with cancel_requires_password: <remove/> gets the cancel form in the error; the form with the password deletes', async () => {
    const ivy = await login(strict, 'ivy', 'ivy-password-1');
    const asked = await iq(ivy, `<query xmlns="${REG}"><remove/></query>`);
    assert.equal(condition(asked), 'not-authorized', asked.toString());
    const x = asked.getChild('error')!.getChild('query', REG)!.getChild('x', 'jabber:x:data')!;
    assert.equal(x.getChildren('field')[0].getChildText('value'), 'jabber:iq:register:cancel');
    const gone = expectDisconnect(ivy, 10_000);
    const done = await iq(ivy, changeForm({ username: 'ivy', password: 'ivy-password-1' }, 'jabber:iq:register:cancel'));
    assert.equal(done.attrs.type, 'result', done.toString());
    assert.equal(await gone, 'not-authorized');
  });

  test('§3.2: <remove/> that is not the only child is a bad-request', async () => {
    const jon = await login(plain, 'jon', 'jon-password-1');
    const reply = await iq(jon, `<query xmlns="${REG}"><remove/><username>jon</username></query>`);
    assert.equal(condition(reply), 'bad-request', reply.toString());
    assert.equal(reply.getChild('error')?.attrs.code, '400');
  });

  test('§3.2 cancel: result, not-authorized to every session, login fails, every stored row is gone, the name is quarantined', async () => {
    const kim = await login(plain, 'kim', 'kim-password-1', 'a');
    const second = await login(plain, 'kim', 'kim-password-1', 'b');
    // Give kim data in several stores, so the check below can fail.
    assert.equal((await iq(kim, `<query xmlns="jabber:iq:private"><note xmlns="urn:example:notes">remember</note></query>`)).attrs.type, 'result');
    assert.equal((await iq(kim, `<query xmlns="jabber:iq:roster"><item jid="ann@${plain.domain}" name="Ann"/></query>`)).attrs.type, 'result');
    const before = userRows(plain.dataDir, 'kim', plain.domain);
    assert.ok((before.accounts ?? 0) === 1 && Object.values(before).reduce((a, b) => a + b, 0) >= 3, `kim has data before: ${JSON.stringify(before)}`);

    const closedA = expectDisconnect(kim, 10_000);
    const closedB = expectDisconnect(second, 10_000);
    const reply = await iq(kim, `<query xmlns="${REG}"><remove/></query>`);
    assert.equal(reply.attrs.type, 'result', reply.toString());
    assert.deepEqual(await Promise.all([closedA, closedB]), ['not-authorized', 'not-authorized']);

    assert.equal((await loginFailure({ port: plain.ports.c2s, domain: plain.domain, username: 'kim', password: 'kim-password-1', mechanism: 'PLAIN' })).condition, 'not-authorized');
    const afterRows = userRows(plain.dataDir, 'kim', plain.domain);
    // The quarantine keeps the name and a date only (docs/registration.md); everything else is gone.
    const { quarantined_usernames: quarantined, ...rest } = afterRows;
    assert.deepEqual(Object.entries(rest).filter(([, n]) => n > 0), [], `rows left for kim: ${JSON.stringify(afterRows)}`);
    assert.equal(quarantined, 1);

    // Re-registering the name in-band is refused while quarantined; another name works.
    const { raw } = await preAuthStream(plain);
    try {
      const again = legacyRegister('kim', 'kim-password-9');
      const refused = await rawIq(raw, again.xml, again.id);
      assert.equal(condition(refused), 'conflict', refused.toString());
    } finally {
      raw.destroy();
    }
  });
});
