// XEP-0077 §3.1 in-band registration before authentication, per docs/registration.md:
// stream feature only after TLS and only when enabled, fields and form in the get, account
// creation, conflict 409 without echoing the password, empty password 406, form precedence (§6),
// credential policy, one registration per stream, rate limits, and login with the new account.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Element } from 'ltx';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { RawXmpp, streamErrorCondition } from '../helpers/raw.ts';
import { legacyRegister, preAuthStream, rawIq, registerInBand } from '../helpers/raw-iq.ts';
import { connectXmppjs, disconnect, loginFailure } from '../helpers/xmppjs.ts';

const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
const REG = 'jabber:iq:register';
// Three servers start at once; on a loaded machine that takes a while.
const READY_MS = 120_000;

function errorOf(iq: Element): { condition?: string; code?: string; type?: string; text?: string } {
  const e = iq.getChild('error');
  const cond = e?.children.find((c) => typeof c !== 'string' && c.attrs.xmlns === STANZAS && c.name !== 'text') as Element | undefined;
  return { condition: cond?.name, code: e?.attrs.code, type: e?.attrs.type, text: e?.getChildText('text', STANZAS) ?? undefined };
}

describe('XEP-0077 registration before authentication', () => {
  let open: RunningServer; // enabled, generous limits
  let limited: RunningServer; // enabled, 2 registrations per address per hour
  let closed: RunningServer; // defaults: in-band registration off
  const streams: RawXmpp[] = [];

  const stream = async (server: RunningServer) => {
    const s = await preAuthStream(server);
    streams.push(s.raw);
    return s;
  };

  before(async () => {
    [open, limited, closed] = await Promise.all([
      startServer({ readyTimeoutMs: READY_MS, config: { modules: { register: { enabled: true, max_per_address_hour: 1000, max_per_address_day: 1000, max_global_minute: 1000 } } } }),
      startServer({ readyTimeoutMs: READY_MS, config: { modules: { register: { enabled: true, max_per_address_hour: 2 } } } }),
      startServer({ readyTimeoutMs: READY_MS }),
    ]);
  });
  after(async () => {
    for (const s of streams) s.destroy();
    await Promise.all([open?.stop(), limited?.stop(), closed?.stop()]);
  });

  test('§8: the register stream feature is offered after TLS, not before, and not when disabled', async () => {
    const raw = await RawXmpp.connect({ port: open.ports.c2s, domain: open.domain });
    streams.push(raw);
    const plain = await raw.openStream();
    assert.doesNotMatch(plain, /iq-register/, 'offered before TLS');
    await raw.startTls(false);
    assert.match(await raw.openStream(), /<register xmlns="http:\/\/jabber.org\/features\/iq-register"\/>/);
    const { features } = await stream(closed);
    assert.match(features, /<mechanisms/, 'control: the disabled server did send its features');
    assert.doesNotMatch(features, /iq-register/);
  });

  test('a register iq before TLS ends the stream with not-authorized', async () => {
    const raw = await RawXmpp.connect({ port: open.ports.c2s, domain: open.domain });
    streams.push(raw);
    await raw.openStream();
    raw.write(`<iq type='get' id='early'><query xmlns='jabber:iq:register'/></iq>`);
    const text = await raw.waitClosed();
    assert.equal(streamErrorCondition(text), 'not-authorized', text);
  });

  test('§3.1 get: instructions, the legacy fields and a jabber:iq:register form', async () => {
    const { raw } = await stream(open);
    const reply = await rawIq(raw, `<iq type='get' id='g1'><query xmlns='jabber:iq:register'/></iq>`, 'g1');
    assert.equal(reply.attrs.type, 'result', reply.toString());
    const q = reply.getChild('query', REG)!;
    assert.ok(q.getChild('instructions') && q.getChild('username') && q.getChild('password'), reply.toString());
    assert.equal(q.getChild('registered'), undefined, 'not registered before authentication');
    const x = q.getChild('x', 'jabber:x:data')!;
    const vars = x.getChildren('field').map((f) => f.attrs.var);
    assert.deepEqual(vars, ['FORM_TYPE', 'username', 'password'], reply.toString());
    assert.equal(x.getChildren('field')[0].getChildText('value'), REG);
  });

  test('§3.1 set creates the account; the new user logs in with it', async () => {
    const { raw } = await stream(open);
    const r = legacyRegister('juliet', 'wherefore art thou');
    const reply = await rawIq(raw, r.xml, r.id);
    assert.equal(reply.attrs.type, 'result', reply.toString());
    const c = await connectXmppjs({ port: open.ports.c2s, domain: open.domain, username: 'juliet', password: 'wherefore art thou', mechanism: 'PLAIN' });
    assert.equal(c.jid?.bare().toString(), `juliet@${open.domain}`);
    await disconnect(c);
  });

  test('the client can authenticate on the same stream right after registering (XEP-0077 §3.1.1 bootstrap)', async () => {
    const { raw } = await stream(open);
    const r = legacyRegister('bootstrap', 'pull yourself up');
    assert.equal((await rawIq(raw, r.xml, r.id)).attrs.type, 'result');
    await raw.authPlain('bootstrap', 'pull yourself up');
    assert.match(await raw.bind('here'), new RegExp(`^bootstrap@${open.domain}/here$`));
  });

  test('a taken username: conflict with code 409, and the password is not echoed', async () => {
    await registerInBand(open, 'romeo', 'montague-secret');
    const { raw } = await stream(open);
    const r = legacyRegister('Romeo', 'a rose by any other name');
    const reply = await rawIq(raw, r.xml, r.id);
    assert.deepEqual({ ...errorOf(reply), text: undefined }, { condition: 'conflict', code: '409', type: 'cancel', text: undefined }, reply.toString());
    assert.doesNotMatch(reply.toString(), /a rose by any other name/);
    assert.equal(reply.getChild('query'), undefined, 'the query is not echoed');
    // The existing account is untouched.
    const c = await connectXmppjs({ port: open.ports.c2s, domain: open.domain, username: 'romeo', password: 'montague-secret', mechanism: 'PLAIN' });
    await disconnect(c);
  });

  for (const [what, query] of [
    ['an empty password', `<username>emptypw</username><password/>`],
    ['a password element without text', `<username>emptypw</username><password></password>`],
    ['no password at all', `<username>emptypw</username>`],
    ['no username', `<password>long enough password</password>`],
  ] as const) {
    test(`${what}: not-acceptable with code 406`, async () => {
      const { raw } = await stream(open);
      const reply = await rawIq(raw, `<iq type='set' id='e406'><query xmlns='jabber:iq:register'>${query}</query></iq>`, 'e406');
      const e = errorOf(reply);
      assert.equal(e.condition, 'not-acceptable', reply.toString());
      assert.equal(e.code, '406');
    });
  }

  test('§6 precedence: with a data form and legacy fields, the form is used', async () => {
    const { raw } = await stream(open);
    const reply = await rawIq(raw, `<iq type='set' id='both'><query xmlns='jabber:iq:register'>
      <username>legacyname</username><password>legacy password</password>
      <x xmlns='jabber:x:data' type='submit'>
        <field var='FORM_TYPE' type='hidden'><value>jabber:iq:register</value></field>
        <field var='username'><value>formname</value></field>
        <field var='password'><value>form password</value></field>
      </x></query></iq>`, 'both');
    assert.equal(reply.attrs.type, 'result', reply.toString());
    const c = await connectXmppjs({ port: open.ports.c2s, domain: open.domain, username: 'formname', password: 'form password', mechanism: 'PLAIN' });
    await disconnect(c);
    const failed = await loginFailure({ port: open.ports.c2s, domain: open.domain, username: 'legacyname', password: 'legacy password', mechanism: 'PLAIN' });
    assert.equal(failed.condition, 'not-authorized');
  });

  test('a form with another FORM_TYPE is a bad-request', async () => {
    const { raw } = await stream(open);
    const reply = await rawIq(raw, `<iq type='set' id='ft'><query xmlns='jabber:iq:register'><x xmlns='jabber:x:data' type='submit'>
      <field var='FORM_TYPE' type='hidden'><value>urn:example:other</value></field>
      <field var='username'><value>other</value></field><field var='password'><value>long enough</value></field></x></query></iq>`, 'ft');
    assert.equal(errorOf(reply).condition, 'bad-request', reply.toString());
  });

  for (const [what, username, password] of [
    ['a reserved username', 'postmaster', 'long enough password'],
    ['a short password', 'shorty', 'short'],
    ['a common password', 'common', 'password1'],
    ['a password equal to the username', 'samesame', 'samesame'],
    ['a username PRECIS refuses', 'bad user', 'long enough password'],
  ] as const) {
    test(`${what}: not-acceptable, with a text that says why`, async () => {
      const { raw } = await stream(open);
      const r = legacyRegister(username, password);
      const reply = await rawIq(raw, r.xml, r.id);
      const e = errorOf(reply);
      assert.equal(e.condition, 'not-acceptable', reply.toString());
      assert.ok(e.text && e.text.length > 0, reply.toString());
    });
  }

  test('one registration per stream: a second set on the same stream is refused', async () => {
    const { raw } = await stream(open);
    const first = legacyRegister('first1', 'first password');
    assert.equal((await rawIq(raw, first.xml, first.id)).attrs.type, 'result');
    const second = legacyRegister('second1', 'second password');
    assert.equal(errorOf(await rawIq(raw, second.xml, second.id)).condition, 'not-acceptable');
  });

  test('§3.2: <remove/> before authentication is an unexpected-request', async () => {
    const { raw } = await stream(open);
    const reply = await rawIq(raw, `<iq type='set' id='rm'><query xmlns='jabber:iq:register'><remove/></query></iq>`, 'rm');
    assert.equal(errorOf(reply).condition, 'unexpected-request', reply.toString());
  });

  test('more than 5 register iqs on one unauthenticated stream: resource-constraint', async () => {
    const { raw } = await stream(open);
    for (let i = 1; i <= 5; i++) assert.equal((await rawIq(raw, `<iq type='get' id='n${i}'><query xmlns='jabber:iq:register'/></iq>`, `n${i}`)).attrs.type, 'result');
    const sixth = await rawIq(raw, `<iq type='get' id='n6'><query xmlns='jabber:iq:register'/></iq>`, 'n6');
    assert.deepEqual([errorOf(sixth).condition, errorOf(sixth).type], ['resource-constraint', 'wait'], sixth.toString());
  });

  test('rate limit: the third registration from one address within the hour gets resource-constraint (wait)', async () => {
    for (const name of ['limit1', 'limit2']) {
      const { raw } = await stream(limited);
      const r = legacyRegister(name, 'limited password');
      assert.equal((await rawIq(raw, r.xml, r.id)).attrs.type, 'result');
    }
    const { raw } = await stream(limited);
    const r = legacyRegister('limit3', 'limited password');
    const reply = await rawIq(raw, r.xml, r.id);
    assert.deepEqual([errorOf(reply).condition, errorOf(reply).type, errorOf(reply).code], ['resource-constraint', 'wait', '500'], reply.toString());
    assert.equal((await loginFailure({ port: limited.ports.c2s, domain: limited.domain, username: 'limit3', password: 'limited password', mechanism: 'PLAIN' })).condition, 'not-authorized');
  });

  test('disabled: get and set are answered with service-unavailable (503)', async () => {
    const { raw } = await stream(closed);
    const get = await rawIq(raw, `<iq type='get' id='dg'><query xmlns='jabber:iq:register'/></iq>`, 'dg');
    assert.deepEqual([errorOf(get).condition, errorOf(get).code], ['service-unavailable', '503'], get.toString());
    const r = legacyRegister('nobody', 'no registration');
    assert.equal(errorOf(await rawIq(raw, r.xml, r.id)).condition, 'service-unavailable');
  });
});
