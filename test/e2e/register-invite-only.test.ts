// Invite-only in-band registration (docs/registration.md): an admin creates an invitation with the
// ad-hoc command urn:parley:register#create-invite; the registration get then offers only the form,
// with a required 'invite' field; a missing, unknown or used-up invitation is refused and creates
// nothing; a valid one registers (and a conflict does not burn it). Non-admins cannot create one.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Element } from 'ltx';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { legacyRegister, preAuthStream, rawIq } from '../helpers/raw-iq.ts';
import { connectXmppjs, disconnect, expectStanza, loginFailure, nextId, send, type Client } from '../helpers/xmppjs.ts';

const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
const CMD = 'http://jabber.org/protocol/commands';
const NODE = 'urn:parley:register#create-invite';
const LIMITS = { max_per_address_hour: 1000, max_per_address_day: 1000, max_global_minute: 1000 };

const condition = (iq: Element) => (iq.getChild('error')?.children.find((c) => typeof c !== 'string' && c.attrs.xmlns === STANZAS && c.name !== 'text') as Element | undefined)?.name;
const formSubmit = (f: Record<string, string>) => `<query xmlns="jabber:iq:register"><x xmlns="jabber:x:data" type="submit"><field var="FORM_TYPE"><value>jabber:iq:register</value></field>${
  Object.entries(f).map(([k, v]) => `<field var="${k}"><value>${v}</value></field>`).join('')}</x></query>`;

describe('invite-only in-band registration', () => {
  let server: RunningServer;
  let d: string;
  before(async () => {
    server = await startServer({ readyTimeoutMs: 120_000, config: { admins: ['boss@localhost'], modules: { register: { enabled: true, invite_only: true, ...LIMITS } } } });
    d = server.domain;
    await server.adduser('boss', 'boss-password');
    await server.adduser('taken', 'taken-password');
  });
  after(async () => {
    await server?.stop();
  });

  const command = async (c: Client, attrs: string, payload = '') => {
    const id = nextId('inv');
    await send(c, `<iq type="set" id="${id}" to="${d}"><command xmlns="${CMD}" node="${NODE}" ${attrs}>${payload}</command></iq>`);
    return expectStanza(c, (el) => el.name === 'iq' && el.attrs.id === id);
  };
  async function invite(uses: number): Promise<string> {
    const boss = await connectXmppjs({ port: server.ports.c2s, domain: d, username: 'boss', password: 'boss-password', mechanism: 'PLAIN' });
    try {
      const first = await command(boss, 'action="execute"');
      const sid = first.getChild('command', CMD)!.attrs.sessionid;
      const done = await command(boss, `sessionid="${sid}"`, `<x xmlns="jabber:x:data" type="submit"><field var="uses"><value>${uses}</value></field><field var="valid_days"><value>1</value></field></x>`);
      assert.equal(done.attrs.type, 'result', done.toString());
      const fields = new Map(done.getChild('command', CMD)!.getChild('x')!.getChildren('field').map((f) => [f.attrs.var, f.getChildText('value')]));
      assert.equal(fields.get('uri'), `xmpp:${d}?register;preauth=${fields.get('invite')}`);
      return fields.get('invite')!;
    } finally {
      await disconnect(boss);
    }
  }
  async function register(query: string): Promise<Element> {
    const { raw } = await preAuthStream(server);
    try {
      const id = nextId('reg');
      return await rawIq(raw, `<iq type="set" id="${id}">${query}</iq>`, id);
    } finally {
      raw.destroy();
    }
  }

  test('the form has a required invite field and no legacy fields; a legacy set is refused', async () => {
    const { raw } = await preAuthStream(server);
    try {
      const get = await rawIq(raw, `<iq type="get" id="g1"><query xmlns="jabber:iq:register"/></iq>`, 'g1');
      const q = get.getChild('query', 'jabber:iq:register')!;
      assert.equal(q.getChild('username'), undefined, 'no legacy fields (XEP-0077 §6: a required field they cannot carry)');
      const invite = q.getChild('x', 'jabber:x:data')!.getChildren('field').find((f) => f.attrs.var === 'invite');
      assert.ok(invite?.getChild('required'), get.toString());
      const r = legacyRegister('nobody', 'nobody-password-1');
      const refused = await rawIq(raw, r.xml, r.id);
      assert.equal(condition(refused), 'not-acceptable');
    } finally {
      raw.destroy();
    }
  });

  test('a missing or unknown invitation: refused, no account', async () => {
    assert.equal(condition(await register(formSubmit({ username: 'ursula', password: 'ursula-password-1' }))), 'not-acceptable');
    const unknown = await register(formSubmit({ username: 'ursula', password: 'ursula-password-1', invite: 'not-a-real-invitation' }));
    assert.deepEqual([condition(unknown), unknown.getChild('error')!.attrs.code], ['forbidden', '403']);
    assert.equal((await loginFailure({ port: server.ports.c2s, domain: d, username: 'ursula', password: 'ursula-password-1', mechanism: 'PLAIN' })).condition, 'not-authorized');
  });

  test('a valid invitation registers once; a taken name does not burn it; used up afterwards', async () => {
    const token = await invite(1);
    assert.equal(condition(await register(formSubmit({ username: 'taken', password: 'whatever-pass-1', invite: token }))), 'conflict');
    const ok = await register(formSubmit({ username: 'viola', password: 'viola-password-1', invite: token }));
    assert.equal(ok.attrs.type, 'result', ok.toString());
    const c = await connectXmppjs({ port: server.ports.c2s, domain: d, username: 'viola', password: 'viola-password-1', mechanism: 'PLAIN' });
    await disconnect(c);
    assert.equal(condition(await register(formSubmit({ username: 'sebastian', password: 'sebastian-password-1', invite: token }))), 'forbidden', 'used up');
  });

  test('only admins may create invitations', async () => {
    const viola = await connectXmppjs({ port: server.ports.c2s, domain: d, username: 'viola', password: 'viola-password-1', mechanism: 'PLAIN' });
    try {
      assert.equal(condition(await command(viola, 'action="execute"')), 'forbidden');
    } finally {
      await disconnect(viola);
    }
  });
});
