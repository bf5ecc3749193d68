// XEP-0050 ad-hoc commands at the server JID and the XEP-0133 admin commands, with @xmpp/client:
// discovery filtered by rights (§2.2, §2.3), sessions (§3.3: sessionid, cancel, expiry), the §4.6
// errors, and each admin command's effect (accounts created, deleted, passwords changed with
// their sessions ended, online users, announcements, ending sessions). Non-admins: forbidden.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Element } from 'ltx';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { registerInBand } from '../helpers/raw-iq.ts';
import { connectXmppjs, disconnect, expectDisconnect, expectStanza, loginFailure, nextId, send, type Client } from '../helpers/xmppjs.ts';

const CMD = 'http://jabber.org/protocol/commands';
const ADMIN = 'http://jabber.org/protocol/admin';
const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
const NODES = ['add-user', 'delete-user', 'change-user-password', 'end-user-session', 'get-online-users-num', 'get-online-users-list', 'announce'].map((n) => `${ADMIN}#${n}`);

function errorParts(iq: Element): { condition?: string; specific?: string } {
  const e = iq.getChild('error');
  const kids = (e?.children ?? []).filter((c): c is Element => typeof c !== 'string');
  return { condition: kids.find((c) => c.attrs.xmlns === STANZAS && c.name !== 'text')?.name, specific: kids.find((c) => c.attrs.xmlns === CMD)?.name };
}

const submitForm = (fields: Record<string, string | string[]>) =>
  `<x xmlns="jabber:x:data" type="submit"><field var="FORM_TYPE" type="hidden"><value>${ADMIN}</value></field>${
    Object.entries(fields).map(([k, v]) => `<field var="${k}">${(Array.isArray(v) ? v : [v]).map((x) => `<value>${x}</value>`).join('')}</field>`).join('')}</x>`;

describe('XEP-0050 / XEP-0133 admin commands', () => {
  let server: RunningServer;
  let d: string;
  let open: Client[] = [];

  const login = async (username: string, password = `${username}-password`, resource?: string) => {
    const c = await connectXmppjs({ port: server.ports.c2s, domain: d, username, password, resource, mechanism: 'PLAIN' });
    open.push(c);
    return c;
  };
  const iq = async (c: Client, type: 'get' | 'set', body: string): Promise<Element> => {
    const id = nextId('cmd');
    await send(c, `<iq type="${type}" id="${id}" to="${d}">${body}</iq>`);
    return expectStanza(c, (el) => el.name === 'iq' && el.attrs.id === id && (el.attrs.type === 'result' || el.attrs.type === 'error'));
  };
  const command = (c: Client, node: string, attrs = '', payload = '') => iq(c, 'set', `<command xmlns="${CMD}" node="${node}" ${attrs}>${payload}</command>`);
  /** execute, then submit the form in the same session; returns both replies. */
  const run = async (c: Client, name: string, fields: Record<string, string | string[]>) => {
    const first = await command(c, `${ADMIN}#${name}`, 'action="execute"');
    const sid = first.getChild('command', CMD)?.attrs.sessionid;
    assert.ok(sid, `no sessionid: ${first}`);
    const done = await command(c, `${ADMIN}#${name}`, `sessionid="${sid}"`, submitForm(fields));
    return { first, done };
  };

  before(async () => {
    server = await startServer({ readyTimeoutMs: 120_000, config: { admins: ['boss@localhost'], modules: { register: { enabled: true, max_per_address_hour: 1000, max_per_address_day: 1000, max_global_minute: 1000 } } } });
    d = server.domain;
    await Promise.all(['boss', 'mallory', 'uma', 'vic', 'walt', 'xena', 'yuri'].map((u) => registerInBand(server, u, `${u}-password`)));
  });
  afterEach(async () => {
    await Promise.all(open.map(disconnect));
    open = [];
  });
  after(async () => {
    await server?.stop();
  });

  test('XEP-0050 §2.1: the server advertises http://jabber.org/protocol/commands', async () => {
    const reply = await iq(await login('mallory'), 'get', `<query xmlns="http://jabber.org/protocol/disco#info"/>`);
    assert.ok(reply.getChild('query')!.getChildren('feature').some((f) => f.attrs.var === CMD), reply.toString());
  });

  test('§2.2: an admin sees the XEP-0133 commands as items of the commands node; a non-admin sees none', async () => {
    const items = await iq(await login('boss'), 'get', `<query xmlns="http://jabber.org/protocol/disco#items" node="${CMD}"/>`);
    const listed = items.getChild('query')!.getChildren('item');
    // Other modules may add their own admin commands; the XEP-0133 ones must all be there.
    const nodes = listed.map((i) => i.attrs.node);
    assert.deepEqual(NODES.filter((n) => !nodes.includes(n)), [], items.toString());
    assert.ok(listed.every((i) => i.attrs.jid === d && i.attrs.name), items.toString());
    const none = await iq(await login('mallory'), 'get', `<query xmlns="http://jabber.org/protocol/disco#items" node="${CMD}"/>`);
    assert.equal(none.attrs.type, 'result', none.toString());
    assert.equal(none.getChild('query')!.getChildren('item').length, 0, none.toString());
  });

  test('§2.3: disco#info on a command node gives automation/command-node to an admin, forbidden to others', async () => {
    const info = await iq(await login('boss'), 'get', `<query xmlns="http://jabber.org/protocol/disco#info" node="${ADMIN}#add-user"/>`);
    const q = info.getChild('query')!;
    assert.ok(q.getChildren('identity').some((i) => i.attrs.category === 'automation' && i.attrs.type === 'command-node'), info.toString());
    assert.deepEqual(q.getChildren('feature').map((f) => f.attrs.var).sort(), [CMD, 'jabber:x:data']);
    const denied = await iq(await login('mallory'), 'get', `<query xmlns="http://jabber.org/protocol/disco#info" node="${ADMIN}#add-user"/>`);
    assert.equal(errorParts(denied).condition, 'forbidden', denied.toString());
  });

  test('XEP-0133 §5: a non-admin executing a command gets forbidden', async () => {
    const mallory = await login('mallory');
    for (const node of NODES) assert.equal(errorParts(await command(mallory, node)).condition, 'forbidden', node);
  });

  test('add-user: the form, then completion; the new account logs in', async () => {
    const boss = await login('boss');
    const { first, done } = await run(boss, 'add-user', { accountjid: `newhire@${d}`, password: 'newhire-pass', 'password-verify': 'newhire-pass' });
    const cmd = first.getChild('command', CMD)!;
    assert.equal(cmd.attrs.status, 'executing', first.toString());
    const x = cmd.getChild('x', 'jabber:x:data')!;
    assert.equal(x.attrs.type, 'form');
    assert.equal(x.getChildren('field').find((f) => f.attrs.var === 'FORM_TYPE')?.getChildText('value'), ADMIN);
    assert.ok(x.getChildren('field').find((f) => f.attrs.var === 'accountjid' && f.attrs.type === 'jid-single')?.getChild('required'), first.toString());
    assert.ok(cmd.getChild('actions')?.getChild('complete'), `§3.4 actions: ${first}`);
    assert.equal(done.getChild('command', CMD)?.attrs.status, 'completed', done.toString());
    await login('newhire', 'newhire-pass');
  });

  test('add-user of an existing account: conflict, and the password is not echoed', async () => {
    const { done } = await run(await login('boss'), 'add-user', { accountjid: `uma@${d}`, password: 'takeover-pass' });
    assert.equal(errorParts(done).condition, 'conflict', done.toString());
    assert.doesNotMatch(done.toString(), /takeover-pass/);
    await login('uma'); // untouched
  });

  test('add-user with differing passwords: not-acceptable; without accountjid: bad-request + bad-payload', async () => {
    const boss = await login('boss');
    const differ = await run(boss, 'add-user', { accountjid: `typo@${d}`, password: 'one-password', 'password-verify': 'two-password' });
    assert.equal(errorParts(differ.done).condition, 'not-acceptable', differ.done.toString());
    const missing = await run(boss, 'add-user', { password: 'one-password' });
    assert.deepEqual(errorParts(missing.done), { condition: 'bad-request', specific: 'bad-payload' }, missing.done.toString());
    assert.equal((await loginFailure({ port: server.ports.c2s, domain: d, username: 'typo', password: 'one-password', mechanism: 'PLAIN' })).condition, 'not-authorized');
  });

  test('§3.3: cancel ends the session (status canceled); the sessionid then gets session-expired', async () => {
    const boss = await login('boss');
    const first = await command(boss, `${ADMIN}#add-user`);
    const sid = first.getChild('command', CMD)!.attrs.sessionid;
    const canceled = await command(boss, `${ADMIN}#add-user`, `sessionid="${sid}" action="cancel"`);
    assert.equal(canceled.getChild('command', CMD)?.attrs.status, 'canceled', canceled.toString());
    const late = await command(boss, `${ADMIN}#add-user`, `sessionid="${sid}"`, submitForm({ accountjid: `late@${d}`, password: 'late-password' }));
    assert.deepEqual(errorParts(late), { condition: 'not-allowed', specific: 'session-expired' }, late.toString());
  });

  test('§4.6 errors: unknown sessionid, another requester\'s session, prev on the first stage, an unknown action, an unknown node', async () => {
    const boss = await login('boss', undefined, 'one');
    const other = await login('boss', undefined, 'two');
    assert.deepEqual(errorParts(await command(boss, `${ADMIN}#add-user`, 'sessionid="nope"')), { condition: 'bad-request', specific: 'bad-sessionid' });
    const sid = (await command(boss, `${ADMIN}#add-user`)).getChild('command', CMD)!.attrs.sessionid;
    // §3.3: a session is valid "only between one requester/responder pair".
    assert.deepEqual(errorParts(await command(other, `${ADMIN}#add-user`, `sessionid="${sid}"`)), { condition: 'bad-request', specific: 'bad-sessionid' });
    assert.deepEqual(errorParts(await command(boss, `${ADMIN}#add-user`, `sessionid="${sid}" action="prev"`)), { condition: 'bad-request', specific: 'bad-action' });
    assert.deepEqual(errorParts(await command(boss, `${ADMIN}#add-user`, `sessionid="${sid}" action="jump"`)), { condition: 'bad-request', specific: 'malformed-action' });
    assert.equal(errorParts(await command(boss, `${ADMIN}#no-such-command`)).condition, 'item-not-found');
  });

  test('delete-user: the user\'s session ends, login fails', async () => {
    const vic = await login('vic');
    const ended = expectDisconnect(vic, 10_000);
    const { done } = await run(await login('boss'), 'delete-user', { accountjids: [`vic@${d}`] });
    assert.equal(done.getChild('command', CMD)?.attrs.status, 'completed', done.toString());
    assert.equal(await ended, 'not-authorized');
    assert.equal((await loginFailure({ port: server.ports.c2s, domain: d, username: 'vic', password: 'vic-password', mechanism: 'PLAIN' })).condition, 'not-authorized');
  });

  test('change-user-password: the user\'s session gets reset; the new password works, the old fails', async () => {
    const walt = await login('walt');
    const reset = expectDisconnect(walt, 10_000);
    const { done } = await run(await login('boss'), 'change-user-password', { accountjid: `walt@${d}`, password: 'walt-new-password' });
    assert.equal(done.getChild('command', CMD)?.attrs.status, 'completed', done.toString());
    assert.equal(await reset, 'reset');
    await login('walt', 'walt-new-password');
    assert.equal((await loginFailure({ port: server.ports.c2s, domain: d, username: 'walt', password: 'walt-password', mechanism: 'PLAIN' })).condition, 'not-authorized');
  });

  test('get-online-users-num and get-online-users-list count accounts with a session', async () => {
    const boss = await login('boss');
    await login('xena', undefined, 'a');
    await login('xena', undefined, 'b');
    const num = await command(boss, `${ADMIN}#get-online-users-num`);
    const cmd = num.getChild('command', CMD)!;
    assert.equal(cmd.attrs.status, 'completed', num.toString());
    // boss and xena (two resources, one user).
    assert.equal(cmd.getChild('x', 'jabber:x:data')!.getChildren('field').find((f) => f.attrs.var === 'onlineusersnum')?.getChildText('value'), '2', num.toString());
    const { done } = await run(boss, 'get-online-users-list', { max_items: '25' });
    const jids = done.getChild('command', CMD)!.getChild('x', 'jabber:x:data')!.getChildren('field').find((f) => f.attrs.var === 'onlineuserjids')!.getChildren('value').map((v) => v.getText());
    assert.deepEqual(jids, [`boss@${d}`, `xena@${d}`]);
  });

  test('announce: every online session gets the announcement as a headline from the server', async () => {
    const boss = await login('boss');
    const yuri = await login('yuri');
    const { done } = await run(boss, 'announce', { announcement: ['Maintenance at noon.', 'Back soon.'] });
    assert.equal(done.getChild('command', CMD)?.attrs.status, 'completed', done.toString());
    await expectStanza(yuri, `<message type="headline" from="${d}"><body>Maintenance at noon.\nBack soon.</body></message>`);
  });

  test('end-user-session: the user is disconnected', async () => {
    const uma = await login('uma', undefined, 'u1');
    const gone = expectDisconnect(uma, 10_000);
    const { done } = await run(await login('boss'), 'end-user-session', { accountjids: [`uma@${d}`] });
    assert.equal(done.getChild('command', CMD)?.attrs.status, 'completed', done.toString());
    assert.equal(await gone, 'closed');
  });
});
