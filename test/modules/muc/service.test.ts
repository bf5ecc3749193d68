// The MUC service in process, without sockets: stanzas in through handle(), everything the
// service routes collected. Covers options and service paths the e2e files do not reach cheaply:
// nick lock-down (210), unlocked new rooms, ghost removal (333), session ends, account deletion,
// shutdown (332), creation policy, capacity, passwords, iq relay, history windows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { parseJid } from '../../../src/jid/index.ts';
import type { MucOptions } from '../../../src/modules/muc/context.ts';
import { MucService } from '../../../src/modules/muc/service.ts';
import { createLogger } from '../../../src/observability/log.ts';
import { createSqliteStorage } from '../../../src/storage/sqlite/index.ts';
import type { Element } from '../../../src/xml/element.ts';
import { parseElement } from '../../../src/xml/parse-element.ts';

const OPTIONS: MucOptions = { host: 'conference.{domain}', name: 'Chatrooms', room_creation: 'local', lock_new_rooms: false, default_max_users: 200, max_users_limit: 1000, default_history: 20, max_history: 100, nick_lockdown: false, iq_timeout: 5, max_rooms_per_page: 100 };
const ROOM = 'tea@conference.example';
const MUC_USER = 'http://jabber.org/protocol/muc#user';

function harness(options: Partial<MucOptions> = {}) {
  const storage = createSqliteStorage(':memory:');
  const sent: Element[] = [];
  let clock = 1_800_000_000_000;
  const svc = new MucService({
    domain: 'conference.example',
    options: { ...OPTIONS, ...options },
    store: storage.muc,
    archive: storage.archive,
    archiveService: () => undefined,
    log: createLogger('fatal', 'json', new Writable({ write: (_c, _e, cb) => cb() })),
    metrics: { messages() {}, roomsChanged() {} },
    route: async (s) => void sent.push(s),
    isLocalUser: (j) => j.domain === 'example',
    isServerAdmin: (j) => j.toString() === 'root@example',
    now: () => clock,
  });
  const send = async (xmlText: string) => {
    const stanza = parseElement(xmlText)!;
    svc.handle({ stanza, from: parseJid(stanza.attrs.from!), to: parseJid(stanza.attrs.to!) });
    await svc.idle();
    await new Promise((r) => setImmediate(r));
    await svc.idle();
  };
  const join = (from: string, nick: string, extra = '') => send(`<presence xmlns="jabber:client" from="${from}" to="${ROOM}/${nick}"><x xmlns="http://jabber.org/protocol/muc">${extra}</x></presence>`);
  const take = (pred: (e: Element) => boolean) => {
    const i = sent.findIndex(pred);
    assert.ok(i >= 0, `nothing matched in:\n${sent.map((e) => e.toString()).join('\n')}`);
    return sent.splice(i, 1)[0];
  };
  const codes = (e: Element) => e.getChild('x', MUC_USER)!.getChildren('status').map((s) => s.attrs.code).sort();
  const cond = (e: Element) => e.getChild('error')!.getChildElements()[0].localName;
  return { svc, storage, sent, send, join, take, codes, cond, tick: (ms: number) => (clock += ms) };
}

test('lock_new_rooms=false: a new room is usable at once (201, no configuration needed)', async () => {
  const h = harness();
  await h.join('ann@example/a', 'Ann');
  assert.deepEqual(h.codes(h.take((e) => e.attrs.to === 'ann@example/a' && e.name === 'presence')), ['110', '170', '201']);
  await h.join('bob@example/b', 'Bob');
  h.take((e) => e.attrs.to === 'bob@example/b' && e.attrs.from === `${ROOM}/Bob`);
});

test('nick lock-down: the reserved nick is used (210) and cannot be changed', async () => {
  const h = harness({ nick_lockdown: true });
  await h.join('ann@example/a', 'Ann');
  await h.send(`<iq xmlns="jabber:client" type="set" id="1" from="ann@example/a" to="${ROOM}"><query xmlns="http://jabber.org/protocol/muc#admin"><item affiliation="member" jid="bob@example" nick="Bobby"/></query></iq>`);
  h.sent.length = 0;
  await h.join('bob@example/b', 'Whatever');
  const self = h.take((e) => e.attrs.to === 'bob@example/b' && e.name === 'presence' && e.attrs.from === `${ROOM}/Bobby`);
  assert.ok(h.codes(self).includes('210'));
  await h.send(`<presence xmlns="jabber:client" from="bob@example/b" to="${ROOM}/Other"/>`);
  assert.equal(h.cond(h.take((e) => e.attrs.type === 'error' && e.attrs.to === 'bob@example/b')), 'not-acceptable');
});

test('a delivery error from a session removes it with 333 (ghost users, §17.2.2); session end and empty temporary room', async () => {
  const h = harness();
  await h.join('ann@example/a', 'Ann');
  await h.join('bob@example/b', 'Bob');
  h.sent.length = 0;
  await h.send(`<message xmlns="jabber:client" type="error" from="bob@example/b" to="${ROOM}/Ann"><error type="cancel"><service-unavailable xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></message>`);
  assert.deepEqual(h.codes(h.take((e) => e.attrs.to === 'ann@example/a' && e.attrs.type === 'unavailable')), ['333']);
  h.svc.sessionClosed(parseJid('ann@example/a'));
  await h.svc.idle();
  assert.equal(h.svc.get(parseJid(ROOM)), undefined, 'the temporary room went with its last occupant');
});

test('account deletion drops affiliations of loaded rooms; shutdown sends 332', async () => {
  const h = harness();
  await h.join('ann@example/a', 'Ann');
  await h.send(`<iq xmlns="jabber:client" type="set" id="1" from="ann@example/a" to="${ROOM}"><query xmlns="http://jabber.org/protocol/muc#admin"><item affiliation="admin" jid="bob@example" nick="Bob"/></query></iq>`);
  h.svc.accountDeleted('bob@example');
  assert.equal(h.svc.get(parseJid(ROOM))!.affiliationOf(parseJid('bob@example')), 'none');
  assert.equal(h.svc.get(parseJid(ROOM))!.reservedBy('Bob'), undefined);
  h.sent.length = 0;
  await h.svc.shutdown();
  assert.deepEqual(h.codes(h.take((e) => e.attrs.to === 'ann@example/a')), ['110', '332']);
});

test('creation policy, capacity and password', async () => {
  const h = harness({ room_creation: 'admins', default_max_users: 2 });
  await h.join('ann@example/a', 'Ann');
  assert.equal(h.cond(h.take((e) => e.attrs.type === 'error')), 'not-allowed');
  await h.join('root@example/r', 'Root');
  await h.join('bob@example/b', 'Bob');
  await h.join('cid@example/c', 'Cid');
  assert.equal(h.cond(h.take((e) => e.attrs.type === 'error' && e.attrs.to === 'cid@example/c')), 'service-unavailable');
  const err = await (async () => {
    await h.send(`<iq xmlns="jabber:client" type="set" id="cfg" from="root@example/r" to="${ROOM}"><query xmlns="http://jabber.org/protocol/muc#owner"><x xmlns="jabber:x:data" type="submit"><field var="muc#roomconfig_passwordprotectedroom"><value>1</value></field><field var="muc#roomconfig_roomsecret"><value>pw</value></field><field var="muc#roomconfig_maxusers"><value>10</value></field></x></query></iq>`);
    return h.take((e) => e.attrs.id === 'cfg');
  })();
  assert.equal(err.attrs.type, 'result');
  await h.join('cid@example/c', 'Cid', '<password>nope</password>');
  const refused = h.take((e) => e.attrs.type === 'error' && e.attrs.to === 'cid@example/c');
  assert.equal(h.cond(refused), 'not-authorized');
  assert.ok(refused.getChild('x', 'http://jabber.org/protocol/muc'), 'the refusal echoes an empty muc <x/>');
  assert.equal(refused.getChild('x', 'http://jabber.org/protocol/muc')!.getChild('password'), undefined, 'never the password');
  await h.join('cid@example/c', 'Cid', '<password>pw</password>');
  h.take((e) => e.attrs.to === 'cid@example/c' && e.attrs.from === `${ROOM}/Cid`);
});

test('iq relay to an occupant: fresh id out, answer mapped back; only the addressee may answer', async () => {
  const h = harness();
  await h.join('ann@example/a', 'Ann');
  await h.join('bob@example/b', 'Bob');
  h.sent.length = 0;
  await h.send(`<iq xmlns="jabber:client" type="get" id="v1" from="ann@example/a" to="${ROOM}/Bob"><query xmlns="jabber:iq:version"/></iq>`);
  const out = h.take((e) => e.name === 'iq' && e.attrs.to === 'bob@example/b');
  assert.equal(out.attrs.from, `${ROOM}/Ann`);
  assert.notEqual(out.attrs.id, 'v1');
  await h.send(`<iq xmlns="jabber:client" type="result" id="${out.attrs.id}" from="eve@example/e" to="${ROOM}/Ann"/>`);
  assert.equal(h.sent.filter((e) => e.name === 'iq').length, 0, 'a stranger cannot answer');
  await h.send(`<iq xmlns="jabber:client" type="result" id="${out.attrs.id}" from="bob@example/b" to="${ROOM}/Ann"><query xmlns="jabber:iq:version"><name>x</name></query></iq>`);
  const back = h.take((e) => e.name === 'iq' && e.attrs.to === 'ann@example/a');
  assert.equal(back.attrs.id, 'v1');
  assert.equal(back.attrs.from, `${ROOM}/Bob`);
  await h.send(`<iq xmlns="jabber:client" type="get" id="v2" from="eve@example/e" to="${ROOM}/Bob"><query xmlns="jabber:iq:version"/></iq>`);
  assert.equal(h.cond(h.take((e) => e.attrs.id === 'v2')), 'not-acceptable');
});

test('history from the in-memory ring honours seconds and since', async () => {
  const h = harness();
  await h.join('ann@example/a', 'Ann');
  await h.send(`<iq xmlns="jabber:client" type="set" id="cfg" from="ann@example/a" to="${ROOM}"><query xmlns="http://jabber.org/protocol/muc#owner"><x xmlns="jabber:x:data" type="submit"><field var="muc#roomconfig_enablelogging"><value>0</value></field></x></query></iq>`);
  for (let i = 1; i <= 3; i++) {
    await h.send(`<message xmlns="jabber:client" type="groupchat" from="ann@example/a" to="${ROOM}" id="h${i}"><body>m${i}</body></message>`);
    h.tick(60_000);
  }
  h.sent.length = 0;
  await h.join('bob@example/b', 'Bob', '<history seconds="150"/>');
  const bodies = () => h.sent.filter((e) => e.attrs.to === 'bob@example/b' && e.getChild('body')).map((e) => e.getChildText('body'));
  assert.deepEqual(bodies(), ['m2', 'm3']);
  h.sent.length = 0;
  await h.join('cid@example/c', 'Cid', `<history since="${new Date(1_800_000_000_000 + 90_000).toISOString()}"/>`);
  assert.deepEqual(h.sent.filter((e) => e.attrs.to === 'cid@example/c' && e.getChild('body')).map((e) => e.getChildText('body')), ['m3']);
});
