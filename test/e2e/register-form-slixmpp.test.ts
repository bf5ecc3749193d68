// XEP-0077 §3.3 password change that needs more information, with slixmpp as the client, against
// a Parley with change_password_requires_old (docs/registration.md, "the §3.3 decision"): slixmpp's
// legacy change_password() is refused with an RFC 6120 §8.3-conformant error — the iq's only
// child is <error/> (type auth, not-authorized, legacy code 401), the form inside it at
// error/query/x — and slixmpp completes the change by filling in that form (or the one from the
// up-front get) with its xep_0004 Form. A wrong old password is refused and changes nothing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, type Element } from 'ltx';
import { skipUnless } from '../helpers/services.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { loginArgs, spawnSlix, type SlixEvent } from '../helpers/slix-process.ts';
import { connectXmppjs, disconnect, loginFailure } from '../helpers/xmppjs.ts';

const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';

/** Run slix_register_form.py to its end; its JSON events and exit code. */
async function changeWithSlixmpp(o: { port: number; jid: string; password: string; oldPassword: string; newPassword: string; formFrom?: 'error' | 'get' }): Promise<{ code: number | null; events: SlixEvent[]; transcript: string }> {
  const p = spawnSlix('slix_register_form.py', [...loginArgs(o, 20), '--old-password', o.oldPassword, '--new-password', o.newPassword, '--form-from', o.formFrom ?? 'error'], { label: `slixmpp ${o.jid}` });
  const code = await p.exited;
  return { code, events: p.events, transcript: p.transcript() };
}

const children = (e: Element) => e.children.filter((c): c is Element => typeof c !== 'string');

describe('XEP-0077 §3.3 form-based password change with slixmpp', { skip: skipUnless('slixmpp') }, () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ readyTimeoutMs: 120_000, config: { modules: { register: { change_password_requires_old: true } } } });
    await server.adduser('olivia', 'olivia-old-1');
    await server.adduser('viola', 'viola-old-1');
  });
  after(async () => {
    await server?.stop();
  });
  const jid = (u: string) => `${u}@${server.domain}`;
  const canLogin = async (username: string, password: string) => {
    const c = await connectXmppjs({ port: server.ports.c2s, domain: server.domain, username, password, mechanism: 'PLAIN' });
    await disconnect(c);
  };

  test('the legacy change gets <error/> as the only child, the form inside it; slixmpp submits the form and the password changes', async () => {
    const r = await changeWithSlixmpp({ port: server.ports.c2s, jid: jid('olivia'), password: 'olivia-old-1', oldPassword: 'olivia-old-1', newPassword: 'olivia-new-2' });
    assert.equal(r.code, 0, r.transcript);
    const refused = parse(String(r.events.find((e) => e.event === 'legacy_refused')!.iq));
    assert.equal(refused.attrs.type, 'error');
    assert.deepEqual(children(refused).map((c) => c.name), ['error'], `the submitted query is not echoed and nothing else is beside <error/>: ${refused}`);
    const error = refused.getChild('error')!;
    assert.deepEqual([error.attrs.type, error.attrs.code], ['auth', '401']);
    assert.deepEqual(children(error).map((c) => `${c.name} ${c.attrs.xmlns}`), [`not-authorized ${STANZAS}`, `text ${STANZAS}`, 'query jabber:iq:register'], 'condition, text and one application-specific element');
    const form = error.getChild('query', 'jabber:iq:register')!.getChild('x', 'jabber:x:data')!;
    assert.deepEqual(children(form).filter((c) => c.name === 'field').map((f) => f.attrs.var), ['FORM_TYPE', 'username', 'old_password', 'password']);
    const seen = r.events.find((e) => e.event === 'form')!;
    assert.deepEqual([seen.source, seen.form_type], ['error', ['jabber:iq:register:changepassword']]);
    assert.ok(r.events.some((e) => e.event === 'password_changed'), r.transcript);
    assert.equal((await loginFailure({ port: server.ports.c2s, domain: server.domain, username: 'olivia', password: 'olivia-old-1', mechanism: 'PLAIN' })).condition, 'not-authorized');
    await canLogin('olivia', 'olivia-new-2');
  });

  test('a wrong old_password in the form: not-authorized (auth), the password stays', async () => {
    const r = await changeWithSlixmpp({ port: server.ports.c2s, jid: jid('viola'), password: 'viola-old-1', oldPassword: 'not-my-password', newPassword: 'viola-new-2' });
    assert.equal(r.code, 7, r.transcript);
    const e = r.events.find((x) => x.event === 'iq_error')!;
    assert.deepEqual([e.condition, e.type, e.code], ['not-authorized', 'auth', '401']);
    await canLogin('viola', 'viola-old-1');
  });

  test('the form offered up front by the get (<registered/>) works the same', async () => {
    const r = await changeWithSlixmpp({ port: server.ports.c2s, jid: jid('viola'), password: 'viola-old-1', oldPassword: 'viola-old-1', newPassword: 'viola-new-3', formFrom: 'get' });
    assert.equal(r.code, 0, r.transcript);
    assert.equal(r.events.find((e) => e.event === 'form')!.source, 'get');
    await canLogin('viola', 'viola-new-3');
  });
});
