// New MUC bare-JID occupancy sessions through MUC2-PAM (new-muc.md §4 checks 5, 9, 10, §5): the
// client asks its own server to join; the room keeps the account as an occupant while no client is
// online (MUC1 sees it available, xa, XEP-0310 connection-paused; New MUC sees it offline); the
// account's server archives the room's groupchat and delivers it to clients not in the room; kicks,
// member removal and <leave/> end it. Bad input at both ends gets the conditions of §5.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../helpers/server.ts';
import { addUsers } from '../helpers/accounts.ts';
import { connectXmppjs, disconnect, expectNoStanza, expectStanza, send } from '../helpers/xmppjs.ts';
import { adminSet, configure, createInstantRoom, errorCondition, iqOk, iqTo, join, mucSuite, occupantIdOf, statusCodes } from '../helpers/muc.ts';
import { mamQuery } from '../helpers/mam.ts';
import { fromNowOn, MAM, MUC2, MUC2_PAM, muc2Join, nicknameOf, pamJoin, pamLeave, PSA } from '../helpers/newmuc.ts';

const USERS = ['ann', 'bo', 'cy'];

describe('New MUC bare-JID sessions (MUC2-PAM)', () => {
  const muc = mucSuite(USERS, 'bj');
  const { login, newRoom } = muc;

  test('the server advertises urn:xmpp:muc:pam:0 on its domain and on account bare JIDs', async () => {
    const bo = await login('bo');
    for (const to of [muc.domain, `bo@${muc.domain}`]) {
      const info = await iqOk(bo, to, 'get', '<query xmlns="http://jabber.org/protocol/disco#info"/>');
      assert.ok(info.getChild('query')!.getChildren('feature').some((f) => f.attrs.var === MUC2_PAM), `${to}: ${info.toString()}`);
    }
  });

  test('check 5: bare-JID join; offline, Bo stays an occupant (MUC1: xa + PSA; New MUC: unavailable); groupchat reaches MAM and live clients', async () => {
    const room = newRoom();
    const [ann, bo, cy] = await Promise.all([login('ann'), login('bo'), login('cy')]);
    await createInstantRoom(ann, room, 'Ann');
    await muc2Join(cy, room, 'Cy');
    await send(bo, '<presence/>'); // an available resource (RFC 6121 §8.5.2: only those get bare-JID messages)
    const res = await pamJoin(bo, room, 'Bo');
    assert.equal(res.attrs.type, 'result', res.toString());
    assert.equal(res.getChild('join', MUC2)?.attrs.room, room);
    assert.equal(res.getChild('join', MUC2)?.getChildText('nickname'), 'Bo');
    // The subject (with the summary) came to the bare JID before the result, and on to Bo's client.
    const subj = await expectStanza(bo, (el) => el.name === 'message' && !!el.getChild('subject') && String(el.attrs.from).startsWith(room));
    assert.ok(subj.getChild('metadata', MAM));
    // Ann (MUC1): Bo present, xa, connection-paused, with a delay.
    const seen = await expectStanza(ann, `<presence from="${room}/Bo"/>`);
    assert.notEqual(seen.attrs.type, 'unavailable');
    assert.equal(seen.getChildText('show'), 'xa');
    assert.ok(seen.getChild('state-annotation', PSA)?.getChild('connection-paused'), seen.toString());
    assert.ok(seen.getChild('delay', 'urn:xmpp:delay'));
    const boId = occupantIdOf(seen)!;
    // Cy (New MUC): Bo is an occupant who is offline.
    const cySees = await expectStanza(cy, (el) => el.name === 'presence' && el.attrs.from === `${room}/-${boId}`);
    assert.equal(cySees.attrs.type, 'unavailable');
    assert.equal(nicknameOf(cySees), 'Bo');
    // Live: Bo's client (not in the room itself) gets Ann's message through its server, once.
    await send(ann, `<message to="${room}" type="groupchat" id="live1"><body>to bo live</body></message>`);
    const live = await expectStanza(bo, `<message from="${room}/-${occupantIdOf(await expectStanza(ann, `<message from="${room}/Ann" id="live1"/>`))}" id="live1" type="groupchat"/>`);
    assert.equal(live.getChildText('body'), 'to bo live');
    await expectNoStanza(bo, (el) => el.name === 'message' && el.attrs.id === 'live1', 300);
    // An iq to the offline occupant: nobody can answer.
    const iq = await iqTo(ann, `${room}/Bo`, 'get', '<query xmlns="jabber:iq:version"/>');
    assert.equal(errorCondition(iq), 'service-unavailable');
    // Offline: the next message waits in Bo's archive.
    await disconnect(bo);
    await expectNoStanza(ann, (el) => el.name === 'presence' && el.attrs.from === `${room}/Bo` && el.attrs.type === 'unavailable', 300);
    await send(ann, `<message to="${room}" type="groupchat" id="off1"><body>while you were out</body></message>`);
    await expectStanza(ann, `<message from="${room}/Ann" id="off1"/>`);
    const again = await login('bo');
    const { results } = await mamQuery(again, { with: room, rawFields: '<field var="include-groupchat"><value>true</value></field>' }); // groupchat only on request (XEP-0313 §4.1.4)
    assert.ok(results.some((r) => r.body === 'while you were out'), results.map((r) => r.message.toString()).join('\n'));
    assert.ok(results.some((r) => r.body === 'to bo live'));
    // Still one occupant: a New MUC presence join from the same account takes over the nick.
    const watch = fromNowOn(ann, (el) => el.name === 'presence' && el.attrs.from === `${room}/Bo`);
    const bj = await muc2Join(again, room, null);
    assert.equal(nicknameOf(bj.self!), 'Bo');
    const back = await expectStanza(ann, watch);
    assert.equal(back.getChild('show'), undefined, 'a client is online again: no xa');
    // In the room with a client too: Ann's next message reaches that client once (directly), not twice.
    await send(ann, `<message to="${room}" type="groupchat" id="both1"><body>once</body></message>`);
    await expectStanza(again, (el) => el.name === 'message' && el.attrs.id === 'both1');
    await expectNoStanza(again, (el) => el.name === 'message' && el.attrs.id === 'both1', 400);
  });

  test('taken nick → Bo2 for a bare-JID join; repeating the join with a new nickname renames', async () => {
    const room = newRoom();
    const [ann, bo] = await Promise.all([login('ann'), login('bo')]);
    await createInstantRoom(ann, room, 'Ann');
    await join(await login('cy'), room, 'Bo');
    const res = await pamJoin(bo, room, 'Bo');
    assert.equal(res.getChild('join', MUC2)?.getChildText('nickname'), 'Bo2');
    await expectStanza(ann, `<presence from="${room}/Bo2"/>`);
    const renamed = await pamJoin(bo, room, 'Bob');
    assert.equal(renamed.getChild('join', MUC2)?.getChildText('nickname'), 'Bob');
    const gone = await expectStanza(ann, `<presence from="${room}/Bo2" type="unavailable"/>`);
    assert.deepEqual(statusCodes(gone), ['303']);
    await expectStanza(ann, `<presence from="${room}/Bob"/>`);
  });

  test('check 9: removed from a members-only room while only bare-JID joined: 321 to the account, New MUC observers see Bo leave', async () => {
    const room = newRoom();
    const [ann, bo, cy] = await Promise.all([login('ann'), login('bo'), login('cy')]);
    await createInstantRoom(ann, room, 'Ann');
    assert.equal((await configure(ann, room, { 'muc#roomconfig_membersonly': '1' })).attrs.type, 'result');
    assert.equal((await adminSet(ann, room, [{ jid: `bo@${muc.domain}`, affiliation: 'member' }, { jid: `cy@${muc.domain}`, affiliation: 'member' }])).attrs.type, 'result');
    const cj = await muc2Join(cy, room, 'Cy');
    void cj;
    await send(bo, '<presence/>');
    assert.equal((await pamJoin(bo, room, 'Bo')).attrs.type, 'result');
    const boId = occupantIdOf(await expectStanza(ann, `<presence from="${room}/Bo"/>`))!;
    const cyWatch = fromNowOn(cy, (el) => el.name === 'presence' && el.attrs.from === `${room}/-${boId}`);
    assert.equal((await adminSet(ann, room, [{ jid: `bo@${muc.domain}`, affiliation: 'none' }])).attrs.type, 'result');
    const own = await expectStanza(bo, (el) => el.name === 'presence' && el.attrs.type === 'unavailable' && String(el.attrs.from).startsWith(room));
    assert.ok(statusCodes(own).includes('321'), own.toString());
    assert.ok(statusCodes(own).includes('110'));
    const cySees = await expectStanza(cy, cyWatch);
    assert.equal(cySees.attrs.type, 'unavailable');
    assert.ok(statusCodes(cySees).includes('321'));
    // The session is gone: leaving again is item-not-found, and its server no longer lists the room.
    const leave = await pamLeave(bo, room);
    assert.equal(errorCondition(leave), 'item-not-found');
    // Not a member any more: a new bare-JID join is refused by the room, relayed by Bo's server.
    const refused = await pamJoin(bo, room, 'Bo');
    assert.equal(errorCondition(refused), 'registration-required');
  });

  test('check 10: <leave/> ends the session: MUC1 sees Bo leave, nothing more reaches Bo; leave again → item-not-found', async () => {
    const room = newRoom();
    const [ann, bo] = await Promise.all([login('ann'), login('bo')]);
    await createInstantRoom(ann, room, 'Ann');
    assert.equal((await pamJoin(bo, room, 'Bo')).attrs.type, 'result');
    await expectStanza(ann, `<presence from="${room}/Bo"/>`);
    const left = await pamLeave(bo, room);
    assert.equal(left.attrs.type, 'result', left.toString());
    await expectStanza(ann, `<presence from="${room}/Bo" type="unavailable"/>`);
    await send(ann, `<message to="${room}" type="groupchat" id="gone1"><body>bo left</body></message>`);
    await expectStanza(ann, `<message from="${room}/Ann" id="gone1"/>`);
    await expectNoStanza(bo, (el) => el.name === 'message' && el.attrs.id === 'gone1', 400);
    const { results } = await mamQuery(bo, { with: room, rawFields: '<field var="include-groupchat"><value>true</value></field>' });
    assert.ok(!results.some((r) => r.body === 'bo left'));
    assert.equal(errorCondition(await pamLeave(bo, room)), 'item-not-found');
  });

  test('bad input: room attribute to a room, no room, a room that is not a bare JID, a join from a full JID', async () => {
    const room = newRoom();
    const [ann, bo] = await Promise.all([login('ann'), login('bo')]);
    await createInstantRoom(ann, room, 'Ann');
    const direct = await iqTo(bo, room, 'set', `<join xmlns="${MUC2}" room="${room}"><nickname>Bo</nickname></join>`);
    assert.equal(errorCondition(direct), 'bad-request', 'a room attribute on a join sent to a room');
    const fromFull = await iqTo(bo, room, 'set', `<join xmlns="${MUC2}"><nickname>Bo</nickname></join>`);
    assert.equal(errorCondition(fromFull), 'bad-request', 'bare-JID sessions are made by the server');
    const noRoom = await iqTo(bo, `bo@${muc.domain}`, 'set', `<join xmlns="${MUC2}"><nickname>Bo</nickname></join>`);
    assert.equal(errorCondition(noRoom), 'bad-request');
    assert.equal(errorCondition(await pamJoin(bo, `${room}/nick`, 'Bo')), 'jid-malformed');
    assert.equal(errorCondition(await pamJoin(bo, room, '')), 'jid-malformed', 'empty nickname');
    const other = await iqTo(ann, `bo@${muc.domain}`, 'set', `<join xmlns="${MUC2}" room="${room}"><nickname>Bo</nickname></join>`);
    assert.equal(errorCondition(other), 'forbidden', 'only the account itself');
    await expectNoStanza(ann, (el) => el.name === 'presence' && String(el.attrs.from).startsWith(`${room}/B`), 300);
  });

  test('with muc-pam disabled the account does not take joins (service-unavailable) and does not advertise PAM', async () => {
    const other = await startServer({ config: { modules: { disabled: ['muc-pam'] } } });
    try {
      await addUsers(other, ['bo']);
      const bo = await connectXmppjs({ port: other.ports.c2s, domain: other.domain, username: 'bo', password: 'bo-secret', mechanism: 'PLAIN' });
      muc.track(bo);
      const res = await pamJoin(bo, `x@conference.${other.domain}`, 'Bo');
      assert.equal(errorCondition(res), 'service-unavailable');
      const info = await iqOk(bo, other.domain, 'get', '<query xmlns="http://jabber.org/protocol/disco#info"/>');
      assert.ok(!info.getChild('query')!.getChildren('feature').some((f) => f.attrs.var === MUC2_PAM));
    } finally {
      await other.stop();
    }
  });
});
