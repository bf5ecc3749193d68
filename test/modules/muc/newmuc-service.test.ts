// New MUC inside the MUC service, without sockets (as service.test.ts): the parsers' bad input,
// and service paths the e2e files cannot reach cheaply — a bounced groupchat ends a bare-JID
// session (new-muc.md §3), the room's copies to a bare-JID session, a get instead of a set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { parseJid } from '../../../src/jid/index.ts';
import type { MucOptions } from '../../../src/modules/muc/context.ts';
import { parseJoinIq, parseMuc2Join } from '../../../src/modules/muc/newmuc/parse.ts';
import { MucService } from '../../../src/modules/muc/service.ts';
import { createLogger } from '../../../src/observability/log.ts';
import { StanzaError } from '../../../src/stanza/errors.ts';
import { createSqliteStorage } from '../../../src/storage/sqlite/index.ts';
import type { Element } from '../../../src/xml/element.ts';
import { parseElement } from '../../../src/xml/parse-element.ts';

const OPTIONS: MucOptions = { host: 'conference.{domain}', name: 'Chatrooms', room_creation: 'local', lock_new_rooms: false, default_max_users: 200, max_users_limit: 1000, default_history: 20, max_history: 100, nick_lockdown: false, iq_timeout: 5, max_rooms_per_page: 100, new_muc: true };
const ROOM = 'tea@conference.example';
const MUC2 = 'urn:xmpp:muc:0';
const MUC_USER = 'http://jabber.org/protocol/muc#user';

function harness(options: Partial<MucOptions> = {}) {
  const storage = createSqliteStorage(':memory:');
  const sent: Element[] = [];
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
    isServerAdmin: () => false,
    now: () => 1_800_000_000_000,
  });
  const send = async (xmlText: string) => {
    const stanza = parseElement(xmlText)!;
    svc.handle({ stanza, from: parseJid(stanza.attrs.from!), to: parseJid(stanza.attrs.to!) });
    for (let i = 0; i < 3; i++) {
      await svc.idle();
      await new Promise((r) => setImmediate(r));
    }
  };
  const take = (pred: (e: Element) => boolean) => {
    const i = sent.findIndex(pred);
    assert.ok(i >= 0, `nothing matched in:\n${sent.map((e) => e.toString()).join('\n')}`);
    return sent.splice(i, 1)[0];
  };
  const cond = (e: Element) => e.getChild('error')!.getChildElements()[0].localName;
  return { svc, sent, send, take, cond };
}

const el = (s: string) => parseElement(s)!;
const condOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    if (e instanceof StanzaError) return e.condition;
    throw e;
  }
  return 'ok';
};

test('parsers: levels, visibility and nicknames as new-muc.md §5 says', () => {
  const muc2 = (inner: string) => el(`<muc2 xmlns="${MUC2}">${inner}</muc2>`);
  assert.deepEqual(parseMuc2Join(muc2('<nickname>Bo</nickname>')), { nick: 'Bo', level: 'full', visibility: 'room' });
  assert.deepEqual(parseMuc2Join(muc2('<nickname>Bo</nickname><presence level="join"/><visibility type="anonymous"/>')), { nick: 'Bo', level: 'join', visibility: 'anonymous' });
  assert.equal(condOf(() => parseMuc2Join(muc2('<presence level="loud"/>'))), 'bad-request');
  assert.equal(condOf(() => parseMuc2Join(muc2('<presence level="none"/><presence level="full"/>'))), 'bad-request');
  assert.equal(condOf(() => parseMuc2Join(muc2('<visibility/>'))), 'bad-request');
  assert.equal(condOf(() => parseMuc2Join(muc2('<nickname>A</nickname><nickname>B</nickname>'))), 'jid-malformed');
  assert.equal(condOf(() => parseMuc2Join(muc2('<nickname> </nickname>'))), 'jid-malformed');
  assert.equal(parseMuc2Join(muc2('')).nick, null);
  assert.equal(condOf(() => parseJoinIq(el(`<join xmlns="${MUC2}" room="${ROOM}"><nickname>Bo</nickname></join>`))), 'bad-request');
  assert.deepEqual(parseJoinIq(el(`<join xmlns="${MUC2}"><nickname>Bo</nickname></join>`)), { nick: 'Bo', level: 'none', visibility: 'room' });
});

test('bare-JID session: copies of groupchat go to the bare JID by occupant address; a bounce ends the session', async () => {
  const h = harness();
  await h.send(`<presence xmlns="jabber:client" from="ann@example/a" to="${ROOM}/Ann"><x xmlns="http://jabber.org/protocol/muc"/></presence>`);
  await h.send(`<iq xmlns="jabber:client" type="set" id="j1" from="bo@example" to="${ROOM}"><join xmlns="${MUC2}"><nickname>Bo</nickname></join></iq>`);
  const result = h.take((e) => e.name === 'iq' && e.attrs.id === 'j1');
  assert.equal(result.attrs.type, 'result');
  const subject = h.take((e) => e.name === 'message' && e.attrs.to === 'bo@example');
  assert.ok(subject.getChild('subject'));
  assert.ok(subject.getChild('metadata', 'urn:xmpp:mam:2'));
  h.sent.length = 0;
  await h.send(`<message xmlns="jabber:client" type="groupchat" id="m1" from="ann@example/a" to="${ROOM}"><body>hi</body></message>`);
  const copy = h.take((e) => e.name === 'message' && e.attrs.to === 'bo@example');
  assert.match(copy.attrs.from!, new RegExp(`^${ROOM}/-[A-Za-z0-9_-]{22}$`));
  const annCopy = h.take((e) => e.name === 'message' && e.attrs.to === 'ann@example/a');
  assert.equal(annCopy.attrs.from, `${ROOM}/Ann`);
  // A get is not how one joins.
  await h.send(`<iq xmlns="jabber:client" type="get" id="j2" from="bo@example" to="${ROOM}"><join xmlns="${MUC2}"><nickname>Bo</nickname></join></iq>`);
  assert.equal(h.cond(h.take((e) => e.attrs.id === 'j2')), 'bad-request');
  // Bo's server bounces (no PAM): the session ends, Ann sees Bo leave.
  h.sent.length = 0;
  await h.send(`<message xmlns="jabber:client" type="error" id="m1" from="bo@example" to="${copy.attrs.from}"><error type="cancel"><service-unavailable xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></message>`);
  const gone = h.take((e) => e.name === 'presence' && e.attrs.to === 'ann@example/a' && e.attrs.from === `${ROOM}/Bo`);
  assert.equal(gone.attrs.type, 'unavailable');
  assert.ok(gone.getChild('x', MUC_USER)!.getChildren('status').some((s) => s.attrs.code === '333'));
  await h.send(`<iq xmlns="jabber:client" type="set" id="l1" from="bo@example" to="${ROOM}"><leave xmlns="${MUC2}"/></iq>`);
  assert.equal(h.cond(h.take((e) => e.attrs.id === 'l1')), 'item-not-found');
});

test('new_muc off: no feature in disco, New MUC joins and bare-JID joins are feature-not-implemented', async () => {
  const h = harness({ new_muc: false });
  await h.send(`<presence xmlns="jabber:client" from="ann@example/a" to="${ROOM}/Ann"><x xmlns="http://jabber.org/protocol/muc"/></presence>`);
  await h.send(`<iq xmlns="jabber:client" type="get" id="d1" from="ann@example/a" to="${ROOM}"><query xmlns="http://jabber.org/protocol/disco#info"/></iq>`);
  const info = h.take((e) => e.attrs.id === 'd1');
  assert.ok(!info.getChild('query')!.getChildren('feature').some((f) => f.attrs.var === MUC2));
  await h.send(`<presence xmlns="jabber:client" id="p1" from="bo@example/b" to="${ROOM}"><x xmlns="http://jabber.org/protocol/muc"><muc2 xmlns="${MUC2}"><nickname>Bo</nickname></muc2></x></presence>`);
  assert.equal(h.cond(h.take((e) => e.attrs.id === 'p1')), 'feature-not-implemented');
  await h.send(`<iq xmlns="jabber:client" type="set" id="j1" from="bo@example" to="${ROOM}"><join xmlns="${MUC2}"><nickname>Bo</nickname></join></iq>`);
  assert.equal(h.cond(h.take((e) => e.attrs.id === 'j1')), 'feature-not-implemented');
});
