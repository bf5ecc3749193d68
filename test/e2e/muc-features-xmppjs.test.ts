// More of XEP-0045 and its extensions end to end with @xmpp/client: nick change (303), private
// messages and allowpm, multi-session nicks, status changes, configuration notices (104, 172,
// 322), member removal (321), voice requests (§7.13), mediated declines and XEP-0249 direct
// invitations, destruction with an alternate venue, XEP-0425 moderation (broadcast + tombstone in
// MAM), and the room list (disco#items with RSM) and room info.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { becomeAvailable, expectNoStanza, expectStanza, send } from '../helpers/xmppjs.ts';
import { mamQuery, stanzaIds } from '../helpers/mam.ts';
import { adminSet, configure, createInstantRoom, errorCondition, iqOk, iqTo, item, join, joinError, MUC_USER, mucSuite, occupantIdOf, statusCodes } from '../helpers/muc.ts';

describe('MUC features with @xmpp/client', () => {
  const muc = mucSuite(['ann', 'bob', 'cid', 'dee'], 'f');
  const { login, newRoom } = muc;

  test('nick change: 303 with the new nick, then presence under it; a taken nick is a conflict', async () => {
    const room = newRoom();
    const [ann, bob] = await Promise.all([login('ann'), login('bob')]);
    await createInstantRoom(ann, room, 'Ann');
    await join(bob, room, 'Bob');
    await send(bob, `<presence to="${room}/Ann"/>`);
    assert.equal(errorCondition(await expectStanza(bob, `<presence from="${room}/Ann" type="error"/>`)), 'conflict');
    await send(bob, `<presence to="${room}/Robert"/>`);
    for (const [c, self] of [[ann, false], [bob, true]] as const) {
      const gone = await expectStanza(c, `<presence from="${room}/Bob" type="unavailable"/>`);
      assert.deepEqual(statusCodes(gone).sort(), self ? ['110', '303'] : ['303']);
      assert.equal(item(gone).nick, 'Robert');
      await expectStanza(c, `<presence from="${room}/Robert"><x xmlns="${MUC_USER}"><item role="participant"/></x></presence>`);
    }
  });

  test('private messages go to every session of the addressee, marked with muc#user; allowpm=none forbids them', async () => {
    const room = newRoom();
    const [ann, bob, bob2] = await Promise.all([login('ann'), login('bob', 'one'), login('bob', 'two')]);
    await createInstantRoom(ann, room, 'Ann');
    await join(bob, room, 'Bob');
    // Multi-session nick: the second resource joins under the same nick; others still see one occupant.
    const second = await join(bob2, room, 'Bob');
    assert.deepEqual(second.occupants.map((p) => p.attrs.from), [`${room}/Ann`]);
    await send(ann, `<message to="${room}/Bob" type="chat" id="pm1"><body>psst</body></message>`);
    for (const c of [bob, bob2]) {
      const pm = await expectStanza(c, `<message from="${room}/Ann" type="chat" id="pm1"><body>psst</body><x xmlns="${MUC_USER}"/></message>`);
      assert.ok(occupantIdOf(pm));
    }
    await send(bob, `<message to="${room}" type="groupchat" id="ms1"><body>both resources</body></message>`);
    for (const c of [bob, bob2, ann]) await expectStanza(c, `<message id="ms1" type="groupchat"/>`);
    await configure(ann, room, { 'muc#roomconfig_allowpm': 'none' });
    await send(bob, `<message to="${room}/Ann" type="chat" id="pm2"><body>no?</body></message>`);
    assert.equal(errorCondition(await expectStanza(bob, `<message id="pm2" type="error"/>`)), 'forbidden');
  });

  test('a multi-session occupant stays while one session leaves; a different nick from the same account is a conflict', async () => {
    const room = newRoom();
    const [ann, bob, bob2, cid] = await Promise.all([login('ann'), login('bob', 'one'), login('bob', 'two'), login('cid')]);
    await createInstantRoom(ann, room, 'Ann');
    await join(bob, room, 'Bob');
    assert.equal(await joinError(bob2, room, 'OtherBob'), 'conflict');
    await join(bob2, room, 'Bob');
    await join(cid, room, 'Cid');
    await send(bob2, `<presence to="${room}/Bob" type="unavailable"/>`);
    await expectStanza(bob2, `<presence from="${room}/Bob" type="unavailable"/>`);
    await expectNoStanza(ann, `<presence from="${room}/Bob" type="unavailable"/>`, 300);
    const still = await iqTo(bob, `${room}/Bob`, 'get', '<ping xmlns="urn:xmpp:ping"/>');
    assert.equal(still.attrs.type, 'result');
  });

  test('configuration changes are announced (104, 172); members-only removes non-members (322); member removal 321', async () => {
    const room = newRoom();
    const [ann, bob, cid] = await Promise.all([login('ann'), login('bob'), login('cid')]);
    await createInstantRoom(ann, room, 'Ann');
    await join(bob, room, 'Bob');
    await join(cid, room, 'Cid');
    await configure(ann, room, { 'muc#roomconfig_whois': 'anyone', 'muc#roomconfig_roomname': 'Open talk' });
    const notice = await expectStanza(bob, `<message from="${room}" type="groupchat"><x xmlns="${MUC_USER}"/></message>`);
    assert.deepEqual(statusCodes(notice), ['104', '172']);
    await adminSet(ann, room, [{ jid: `bob@${muc.domain}`, affiliation: 'member' }]);
    const upd = await expectStanza(cid, `<presence from="${room}/Bob"><x xmlns="${MUC_USER}"><item affiliation="member"/></x></presence>`);
    assert.equal(item(upd).jid, String(bob.jid), 'non-anonymous now: everyone sees real JIDs');
    await configure(ann, room, { 'muc#roomconfig_membersonly': '1' });
    const removed = await expectStanza(cid, `<presence from="${room}/Cid" type="unavailable"/>`);
    assert.deepEqual(statusCodes(removed).sort(), ['110', '322']);
    assert.deepEqual(statusCodes(await expectStanza(bob, `<presence from="${room}/Cid" type="unavailable"/>`)), ['322']);
    await adminSet(ann, room, [{ jid: `bob@${muc.domain}`, affiliation: 'none' }]);
    const out = await expectStanza(bob, `<presence from="${room}/Bob" type="unavailable"/>`);
    assert.deepEqual(statusCodes(out).sort(), ['110', '321']);
    assert.equal(await joinError(bob, room, 'Bob'), 'registration-required');
  });

  test('voice request in a moderated room: moderators get the form, approval gives voice', async () => {
    const room = newRoom();
    const [ann, bob] = await Promise.all([login('ann'), login('bob')]);
    await createInstantRoom(ann, room, 'Ann');
    await configure(ann, room, { 'muc#roomconfig_moderatedroom': '1' });
    const bj = await join(bob, room, 'Bob');
    assert.equal(item(bj.self).role, 'visitor');
    await send(bob, `<message to="${room}" type="groupchat" id="v0"><body>can I talk?</body></message>`);
    assert.equal(errorCondition(await expectStanza(bob, `<message id="v0" type="error"/>`)), 'forbidden');
    await send(bob, `<message to="${room}"><x xmlns="jabber:x:data" type="submit"><field var="FORM_TYPE"><value>http://jabber.org/protocol/muc#request</value></field><field var="muc#role"><value>participant</value></field></x></message>`);
    const form = await expectStanza(ann, (el) => el.name === 'message' && el.attrs.from === room && !!el.getChild('x', 'jabber:x:data'));
    const nickField = form.getChild('x', 'jabber:x:data')!.getChildren('field').find((f) => f.attrs.var === 'muc#roomnick');
    assert.equal(nickField?.getChildText('value'), 'Bob');
    await send(ann, `<message to="${room}"><x xmlns="jabber:x:data" type="submit"><field var="FORM_TYPE"><value>http://jabber.org/protocol/muc#request</value></field><field var="muc#role"><value>participant</value></field><field var="muc#roomnick"><value>Bob</value></field><field var="muc#request_allow"><value>true</value></field></x></message>`);
    await expectStanza(bob, `<presence from="${room}/Bob"><x xmlns="${MUC_USER}"><item role="participant"/><status code="110"/></x></presence>`);
    await send(bob, `<message to="${room}" type="groupchat" id="v1"><body>thanks</body></message>`);
    await expectStanza(ann, `<message id="v1" type="groupchat"/>`);
  });

  test('declines reach the inviter; XEP-0249 direct invitations pass user to user', async () => {
    const room = newRoom();
    const [ann, dee] = await Promise.all([login('ann'), login('dee')]);
    await becomeAvailable(ann, muc.domain);
    await becomeAvailable(dee, muc.domain);
    await createInstantRoom(ann, room, 'Ann');
    await send(ann, `<message to="${room}"><x xmlns="${MUC_USER}"><invite to="dee@${muc.domain}"><reason>join us</reason></invite></x></message>`);
    const inv = await expectStanza(dee, `<message from="${room}"><x xmlns="${MUC_USER}"><invite from="ann@${muc.domain}"><reason>join us</reason></invite></x></message>`);
    assert.ok(inv);
    await send(dee, `<message to="${room}"><x xmlns="${MUC_USER}"><decline to="ann@${muc.domain}"><reason>busy</reason></decline></x></message>`);
    await expectStanza(ann, `<message from="${room}"><x xmlns="${MUC_USER}"><decline from="dee@${muc.domain}"><reason>busy</reason></decline></x></message>`);
    await send(ann, `<message to="dee@${muc.domain}"><x xmlns="jabber:x:conference" jid="${room}" reason="direct"/></message>`);
    await expectStanza(dee, `<message from="${String(ann.jid)}"><x xmlns="jabber:x:conference" jid="${room}"/></message>`);
    await join(dee, room, 'Dee');
  });

  test('destroy: every occupant gets <destroy/> with the alternate venue and reason; the room is gone', async () => {
    const room = newRoom();
    const [ann, bob] = await Promise.all([login('ann'), login('bob')]);
    await createInstantRoom(ann, room, 'Ann');
    await join(bob, room, 'Bob');
    assert.equal(errorCondition(await iqTo(bob, room, 'set', `<query xmlns="http://jabber.org/protocol/muc#owner"><destroy/></query>`)), 'forbidden');
    await iqOk(ann, room, 'set', `<query xmlns="http://jabber.org/protocol/muc#owner"><destroy jid="elsewhere@${muc.service}"><reason>moving</reason></destroy></query>`);
    for (const c of [ann, bob]) {
      const p = await expectStanza(c, `<presence type="unavailable"><x xmlns="${MUC_USER}"><item affiliation="none" role="none"/><destroy jid="elsewhere@${muc.service}"><reason>moving</reason></destroy></x></presence>`);
      assert.ok(p.attrs.from.startsWith(`${room}/`));
    }
    assert.equal(errorCondition(await iqTo(ann, room, 'get', '<query xmlns="http://jabber.org/protocol/disco#info"/>')), 'item-not-found');
  });

  test('XEP-0425: a moderator retracts a message; everyone gets the retraction, MAM keeps a tombstone', async () => {
    const room = newRoom();
    const [ann, bob] = await Promise.all([login('ann'), login('bob')]);
    await createInstantRoom(ann, room, 'Ann');
    await join(bob, room, 'Bob');
    await send(bob, `<message to="${room}" type="groupchat" id="bad1"><body>spam spam</body></message>`);
    const m = await expectStanza(ann, `<message id="bad1" type="groupchat"/>`);
    const sid = stanzaIds(m).find((s) => s.by === room)!.id;
    assert.equal(errorCondition(await iqTo(bob, room, 'set', `<moderate xmlns="urn:xmpp:message-moderate:1" id="${sid}"><retract xmlns="urn:xmpp:message-retract:1"/></moderate>`)), 'forbidden');
    assert.equal(errorCondition(await iqTo(ann, room, 'set', `<moderate xmlns="urn:xmpp:message-moderate:1" id="nope"><retract xmlns="urn:xmpp:message-retract:1"/></moderate>`)), 'item-not-found');
    await iqOk(ann, room, 'set', `<moderate xmlns="urn:xmpp:message-moderate:1" id="${sid}"><retract xmlns="urn:xmpp:message-retract:1"/><reason>spam</reason></moderate>`);
    for (const c of [ann, bob]) {
      const r = await expectStanza(c, `<message from="${room}" type="groupchat"><retract xmlns="urn:xmpp:message-retract:1" id="${sid}"><moderated xmlns="urn:xmpp:message-moderate:1" by="${room}/Ann"/><reason>spam</reason></retract></message>`);
      assert.ok(r.getChild('apply-to', 'urn:xmpp:fasten:0'), 'the XEP-0425 0.2 form too');
    }
    const { results } = await mamQuery(bob, { to: room, ids: [sid] });
    assert.equal(results.length, 1);
    assert.equal(results[0].body, undefined, 'the text is gone');
    assert.ok(results[0].message.getChild('retracted', 'urn:xmpp:message-retract:1'), results[0].message.toString());
    assert.ok(occupantIdOf(results[0].message), 'the tombstone keeps who sent it');
  });

  test('room list: public rooms in creation order, paged with RSM; room info has the muc#roominfo form', async () => {
    const ann = await login('ann');
    const rooms = [newRoom(), newRoom(), newRoom()];
    for (const r of rooms) await createInstantRoom(ann, r, 'Ann');
    await configure(ann, rooms[1], { 'muc#roomconfig_publicroom': '0' });
    const all = await iqOk(ann, muc.service, 'get', '<query xmlns="http://jabber.org/protocol/disco#items"/>');
    const listed = all.getChild('query')!.getChildren('item').map((i) => i.attrs.jid as string).filter((j) => rooms.includes(j));
    assert.deepEqual(listed, [rooms[0], rooms[2]], 'hidden rooms are not listed; creation order');
    const page1 = await iqOk(ann, muc.service, 'get', '<query xmlns="http://jabber.org/protocol/disco#items"><set xmlns="http://jabber.org/protocol/rsm"><max>1</max></set></query>');
    const set1 = page1.getChild('query')!.getChild('set', 'http://jabber.org/protocol/rsm')!;
    assert.equal(page1.getChild('query')!.getChildren('item').length, 1);
    const last = set1.getChildText('last');
    const page2 = await iqOk(ann, muc.service, 'get', `<query xmlns="http://jabber.org/protocol/disco#items"><set xmlns="http://jabber.org/protocol/rsm"><max>1</max><after>${last}</after></set></query>`);
    assert.notEqual(page2.getChild('query')!.getChildren('item')[0]?.attrs.jid, page1.getChild('query')!.getChildren('item')[0].attrs.jid);
    const bad = await iqTo(ann, muc.service, 'get', '<query xmlns="http://jabber.org/protocol/disco#items"><set xmlns="http://jabber.org/protocol/rsm"><after>nonsense</after></set></query>');
    assert.equal(errorCondition(bad), 'item-not-found');
    const info = await iqOk(ann, rooms[0], 'get', '<query xmlns="http://jabber.org/protocol/disco#info"/>');
    const q = info.getChild('query')!;
    const features = q.getChildren('feature').map((f) => f.attrs.var);
    for (const f of ['http://jabber.org/protocol/muc', 'urn:xmpp:occupant-id:0', 'muc_public', 'muc_temporary', 'muc_open', 'muc_semianonymous', 'muc_unmoderated', 'muc_unsecured', 'urn:xmpp:mam:2', 'urn:xmpp:sid:0', 'http://jabber.org/protocol/muc#self-ping-optimization']) assert.ok(features.includes(f), f);
    const form = q.getChild('x', 'jabber:x:data')!;
    const occupants = form.getChildren('field').find((f) => f.attrs.var === 'muc#roominfo_occupants')?.getChildText('value');
    assert.equal(occupants, '1');
  });
});
