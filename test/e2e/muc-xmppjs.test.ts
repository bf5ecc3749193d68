// XEP-0045 end to end with @xmpp/client (muc.md §4 acceptance checks): rooms, joins in the §7.2.1
// order, groupchat with one occupant-id and the room's stanza-id, nick rules, members-only rooms,
// reserved nicks under the 1.35.4 member-list rule, kick and ban, history limits, MAM on the room,
// XEP-0421 stability, XEP-0410 self-ping, and bad input leaving the room unchanged.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectNoStanza, expectStanza, send } from '../helpers/xmppjs.ts';
import { mamQuery, stanzaIds } from '../helpers/mam.ts';
import { adminSet, affiliationList, configure, createInstantRoom, errorCondition, iqOk, iqTo, item, join, joinError, MUC_OWNER, MUC_USER, mucSuite, occupantIdOf, statusCodes } from '../helpers/muc.ts';

const USERS = ['ann', 'bob', 'cid', 'dee', 'eve'];

describe('MUC with @xmpp/client', () => {
  const muc = mucSuite(USERS, 'r');
  const { login, newRoom } = muc;

  test('the host lists its MUC service, which says what it is', async () => {
    const ann = await login('ann');
    const items = await iqOk(ann, muc.domain, 'get', '<query xmlns="http://jabber.org/protocol/disco#items"/>');
    assert.ok(items.getChild('query')!.getChildren('item').some((i) => i.attrs.jid === muc.service), items.toString());
    const info = await iqOk(ann, muc.service, 'get', '<query xmlns="http://jabber.org/protocol/disco#info"/>');
    const q = info.getChild('query')!;
    assert.equal(q.getChild('identity')?.attrs.category, 'conference');
    const features = q.getChildren('feature').map((f) => f.attrs.var);
    assert.ok(features.includes('http://jabber.org/protocol/muc'));
    assert.ok(features.includes('urn:xmpp:occupant-id:0'));
  });

  test('instant room: three occupants see each other, groupchat carries one occupant-id and the same stanza-id', async () => {
    const room = newRoom();
    const [ann, bob, cid] = await Promise.all([login('ann'), login('bob'), login('cid')]);
    const created = await createInstantRoom(ann, room, 'Ann');
    assert.deepEqual(statusCodes(created.self).sort(), ['110', '170', '201']);
    assert.equal(item(created.self).affiliation, 'owner');
    assert.equal(item(created.self).role, 'moderator');
    assert.equal(created.subject.getChildText('subject'), '', 'an empty subject ends the join');

    const bj = await join(bob, room, 'Bob');
    // §7.2.1: others' presence, then self-presence, then (history), then the subject, last.
    assert.equal(bj.stanzas[0].attrs.from, `${room}/Ann`);
    assert.equal(bj.stanzas.indexOf(bj.self), 1);
    assert.equal(bj.stanzas.at(-1), bj.subject);
    assert.equal(item(bj.stanzas[0]).jid, undefined, 'semi-anonymous: no real JID to a participant');
    const bobSeenByAnn = await expectStanza(ann, `<presence from="${room}/Bob"><x xmlns="${MUC_USER}"><item role="participant" affiliation="none"/></x></presence>`);
    assert.equal(item(bobSeenByAnn).jid, String(bob.jid), 'the moderator sees the real JID');
    const bobId = occupantIdOf(bobSeenByAnn);
    assert.match(bobId ?? '', /^[A-Za-z0-9_-]{22}$/);

    await join(cid, room, 'Cid');
    await expectStanza(ann, `<presence from="${room}/Cid"/>`);
    await expectStanza(bob, `<presence from="${room}/Cid"/>`);

    await send(bob, `<message to="${room}" type="groupchat" id="m-x1"><body>hello all</body><occupant-id xmlns="urn:xmpp:occupant-id:0" id="fake"/></message>`);
    const got = await Promise.all([ann, bob, cid].map((c) => expectStanza(c, `<message from="${room}/Bob" type="groupchat" id="m-x1"><body>hello all</body></message>`)));
    const sids = got.map((m) => stanzaIds(m).filter((s) => s.by === room));
    for (const s of sids) assert.equal(s.length, 1, 'one stanza-id by the room');
    assert.equal(new Set(sids.map((s) => s[0].id)).size, 1, 'the same stanza-id for everyone');
    for (const m of got) assert.equal(occupantIdOf(m), bobId, "the sender's real occupant-id only, once (spoofed one stripped)");
  });

  test('nick conflict, invalid nicks and a bare-room join are refused', async () => {
    const room = newRoom();
    const [ann, dee] = await Promise.all([login('ann'), login('dee')]);
    await createInstantRoom(ann, room, 'Ann');
    assert.equal(await joinError(dee, room, 'Ann'), 'conflict');
    assert.equal(await joinError(dee, room, 'ANN'), 'conflict', 'nicks compare case-insensitively (RFC 8266)');
    assert.equal(await joinError(dee, room, 'x'.repeat(65)), 'jid-malformed');
    assert.equal(await joinError(dee, room, '-q3v9LmZ0c1dxYW5vbkJvQ2'), 'not-acceptable');
    await send(dee, `<presence to="${room}"><x xmlns="http://jabber.org/protocol/muc"/></presence>`);
    const err = await expectStanza(dee, `<presence from="${room}" type="error"/>`);
    assert.equal(errorCondition(err), 'jid-malformed');
  });

  test('a new room stays locked until configured: others get item-not-found', async () => {
    const room = newRoom();
    const [ann, cid] = await Promise.all([login('ann'), login('cid')]);
    await join(ann, room, 'Ann');
    assert.equal(await joinError(cid, room, 'Cid'), 'item-not-found');
    await configure(ann, room, { 'muc#roomconfig_roomname': 'Tea' });
    await join(cid, room, 'Cid');
  });

  test('members-only room refuses a non-member and admits them once the owner adds them', async () => {
    const room = newRoom();
    const [ann, dee] = await Promise.all([login('ann'), login('dee')]);
    await createInstantRoom(ann, room, 'Ann');
    assert.equal((await configure(ann, room, { 'muc#roomconfig_membersonly': '1' })).attrs.type, 'result');
    assert.equal(await joinError(dee, room, 'Dee'), 'registration-required');
    const r = await adminSet(ann, room, [{ jid: `dee@${muc.domain}`, affiliation: 'member' }]);
    assert.equal(r.attrs.type, 'result');
    const dj = await join(dee, room, 'Dee');
    assert.equal(item(dj.self).affiliation, 'member');
  });

  test('reserved nick: set by the owner, kept by an item without nick, unset by nick=""', async () => {
    const room = newRoom();
    const [ann, cid] = await Promise.all([login('ann'), login('cid')]);
    await createInstantRoom(ann, room, 'Ann');
    const bob = `bob@${muc.domain}`;
    assert.equal((await adminSet(ann, room, [{ jid: bob, affiliation: 'member', nick: 'Bee' }])).attrs.type, 'result');
    assert.deepEqual(await affiliationList(ann, room, 'member'), [{ affiliation: 'member', jid: bob, nick: 'Bee' }]);
    assert.equal(await joinError(cid, room, 'Bee'), 'conflict', 'the nick is reserved for bob');
    // 1.35.4 §9.5: an item without 'nick' leaves the reservation as it is.
    assert.equal((await adminSet(ann, room, [{ jid: bob, affiliation: 'member' }])).attrs.type, 'result');
    assert.deepEqual(await affiliationList(ann, room, 'member'), [{ affiliation: 'member', jid: bob, nick: 'Bee' }]);
    assert.equal(await joinError(cid, room, 'bee'), 'conflict');
    // nick='' unsets it.
    assert.equal((await adminSet(ann, room, [{ jid: bob, affiliation: 'member', nick: '' }])).attrs.type, 'result');
    assert.deepEqual(await affiliationList(ann, room, 'member'), [{ affiliation: 'member', jid: bob }], 'no nick attribute any more');
    await join(cid, room, 'Bee');
  });

  test('reserved nick discovery (x-roomuser-item) and a conflicting reservation leave the list unchanged', async () => {
    const room = newRoom();
    const [ann, bob] = await Promise.all([login('ann'), login('bob')]);
    await createInstantRoom(ann, room, 'Ann');
    await adminSet(ann, room, [{ jid: `bob@${muc.domain}`, affiliation: 'member', nick: 'Bobby' }]);
    const info = await iqOk(bob, room, 'get', '<query xmlns="http://jabber.org/protocol/disco#info" node="x-roomuser-item"/>');
    assert.equal(info.getChild('query')!.getChild('identity')?.attrs.name, 'Bobby');
    const none = await iqOk(ann, room, 'get', '<query xmlns="http://jabber.org/protocol/disco#info" node="x-roomuser-item"/>');
    assert.equal(none.getChild('query')!.getChild('identity'), undefined);
    // Atomic deltas (muc.md §3): one conflicting item fails the whole set.
    const r = await adminSet(ann, room, [{ jid: `cid@${muc.domain}`, affiliation: 'member' }, { jid: `dee@${muc.domain}`, affiliation: 'member', nick: 'Bobby' }]);
    assert.equal(errorCondition(r), 'conflict');
    assert.deepEqual((await affiliationList(ann, room, 'member')).map((i) => i.jid), [`bob@${muc.domain}`]);
  });

  test('kick (307) and ban (301) reach everyone; the banned user cannot return', async () => {
    const room = newRoom();
    const [ann, bob, cid] = await Promise.all([login('ann'), login('bob'), login('cid')]);
    await createInstantRoom(ann, room, 'Ann');
    await join(bob, room, 'Bob');
    await join(cid, room, 'Cid');
    const kick = await adminSet(ann, room, [{ nick: 'Cid', role: 'none' }]);
    assert.equal(kick.attrs.type, 'result');
    const kicked = await expectStanza(cid, `<presence from="${room}/Cid" type="unavailable"/>`);
    assert.deepEqual(statusCodes(kicked).sort(), ['110', '307']);
    assert.equal(item(kicked).role, 'none');
    for (const c of [ann, bob]) assert.deepEqual(statusCodes(await expectStanza(c, `<presence from="${room}/Cid" type="unavailable"/>`)), ['307']);

    const ban = await adminSet(ann, room, [{ jid: `bob@${muc.domain}`, affiliation: 'outcast' }]);
    assert.equal(ban.attrs.type, 'result');
    const banned = await expectStanza(bob, `<presence from="${room}/Bob" type="unavailable"/>`);
    assert.deepEqual(statusCodes(banned).sort(), ['110', '301']);
    assert.equal(item(banned).affiliation, 'outcast');
    assert.deepEqual(statusCodes(await expectStanza(ann, `<presence from="${room}/Bob" type="unavailable"/>`)), ['301']);
    assert.equal(await joinError(bob, room, 'Bob'), 'forbidden');
    assert.deepEqual(await affiliationList(ann, room, 'outcast'), [{ affiliation: 'outcast', jid: `bob@${muc.domain}` }]);
  });

  test('history on join honours maxstanzas (and maxchars=0); the subject comes last', async () => {
    const room = newRoom();
    const [ann, bob] = await Promise.all([login('ann'), login('bob')]);
    await createInstantRoom(ann, room, 'Ann');
    await send(ann, `<message to="${room}" type="groupchat"><subject>Tea time</subject></message>`);
    await expectStanza(ann, `<message from="${room}/Ann" type="groupchat"><subject>Tea time</subject></message>`);
    for (let i = 1; i <= 5; i++) {
      await send(ann, `<message to="${room}" type="groupchat" id="h${i}"><body>msg ${i}</body></message>`);
      await expectStanza(ann, `<message from="${room}/Ann" id="h${i}"/>`);
    }
    const j = await join(bob, room, 'Bob', { history: { maxstanzas: '2' } });
    assert.deepEqual(j.history.map((m) => m.getChildText('body')), ['msg 4', 'msg 5']);
    for (const m of j.history) {
      assert.equal(m.getChild('delay', 'urn:xmpp:delay')?.attrs.from, room);
      assert.equal(stanzaIds(m).filter((s) => s.by === room).length, 1);
      assert.ok(occupantIdOf(m));
    }
    assert.equal(j.subject.getChildText('subject'), 'Tea time');
    assert.equal(j.subject.attrs.from, `${room}/Ann`);
    const bob2 = await login('bob', 'second');
    const j0 = await join(bob2, room, 'Bob', { history: { maxchars: '0' } });
    assert.equal(j0.history.length, 0);
    const j3 = await join(await login('cid'), room, 'Cid', {});
    assert.equal(j3.history.length, 5, 'no <history/>: the default (up to 20)');
  });

  test('MAM on the room pages with RSM; real JIDs only for moderators of a semi-anonymous room', async () => {
    const room = newRoom();
    const [ann, bob] = await Promise.all([login('ann'), login('bob')]);
    await createInstantRoom(ann, room, 'Ann');
    await join(bob, room, 'Bob');
    for (let i = 1; i <= 5; i++) {
      await send(bob, `<message to="${room}" type="groupchat" id="a${i}"><body>arch ${i}</body></message>`);
      await expectStanza(bob, `<message from="${room}/Bob" id="a${i}"/>`);
    }
    const pages: string[][] = [];
    let after: string | undefined;
    for (let i = 0; i < 5; i++) {
      const { results, fin } = await mamQuery(bob, { to: room, max: 2, after });
      pages.push(results.map((r) => r.body ?? ''));
      for (const r of results) {
        assert.equal(r.from, room, 'results come from the room');
        assert.equal(r.message.attrs.from, `${room}/Bob`);
        assert.equal(r.message.getChild('x', MUC_USER)?.getChild('item')?.attrs.jid, undefined, 'no real JID for a participant');
      }
      if (fin.complete === 'true') break;
      after = fin.last;
    }
    assert.deepEqual(pages, [['arch 1', 'arch 2'], ['arch 3', 'arch 4'], ['arch 5']]);
    const { results } = await mamQuery(ann, { to: room, max: 1 });
    assert.equal(results[0].message.getChild('x', MUC_USER)?.getChild('item')?.attrs.jid, String(bob.jid), 'the moderator sees it');
    const stranger = await login('eve');
    const { results: open } = await mamQuery(stranger, { to: room, max: 10 });
    assert.equal(open.length, 5, 'an open room archive is readable by anyone who may enter');
  });

  test('occupant-id is stable across joins of one account and differs between accounts', async () => {
    const room = newRoom();
    const [ann, bob, cid] = await Promise.all([login('ann'), login('bob'), login('cid')]);
    await createInstantRoom(ann, room, 'Ann');
    const first = occupantIdOf((await join(bob, room, 'Bob')).self);
    await send(bob, `<presence to="${room}/Bob" type="unavailable"/>`);
    await expectStanza(bob, `<presence from="${room}/Bob" type="unavailable"/>`);
    const second = occupantIdOf((await join(bob, room, 'Robert')).self);
    const other = occupantIdOf((await join(cid, room, 'Cid')).self);
    assert.ok(first);
    assert.equal(second, first);
    assert.notEqual(other, first);
  });

  test('self-ping is answered by the room while joined, not-acceptable after leaving', async () => {
    const room = newRoom();
    const [ann, bob] = await Promise.all([login('ann'), login('bob')]);
    await createInstantRoom(ann, room, 'Ann');
    await join(bob, room, 'Bob');
    const pong = await iqTo(bob, `${room}/Bob`, 'get', '<ping xmlns="urn:xmpp:ping"/>');
    assert.equal(pong.attrs.type, 'result');
    assert.equal(pong.attrs.from, `${room}/Bob`);
    await adminSet(ann, room, [{ nick: 'Bob', role: 'none' }]);
    await expectStanza(bob, `<presence from="${room}/Bob" type="unavailable"/>`);
    const err = await iqTo(bob, `${room}/Bob`, 'get', '<ping xmlns="urn:xmpp:ping"/>');
    assert.equal(errorCondition(err), 'not-acceptable');
  });

  test('bad input gets the right error and leaves the room unchanged', async () => {
    const room = newRoom();
    const [ann, bob] = await Promise.all([login('ann'), login('bob')]);
    await createInstantRoom(ann, room, 'Ann');
    await join(bob, room, 'Bob');
    // An affiliation change by a non-owner (bob is a participant).
    assert.equal(errorCondition(await adminSet(bob, room, [{ jid: `cid@${muc.domain}`, affiliation: 'admin' }])), 'forbidden');
    assert.equal(errorCondition(await adminSet(bob, room, [{ jid: `cid@${muc.domain}`, affiliation: 'member' }])), 'forbidden');
    // Role and affiliation in one item; unknown values; full JIDs.
    assert.equal(errorCondition(await adminSet(ann, room, [{ nick: 'Bob', role: 'visitor', affiliation: 'member' }])), 'bad-request');
    assert.equal(errorCondition(await adminSet(ann, room, [{ jid: `cid@${muc.domain}`, affiliation: 'boss' }])), 'bad-request');
    assert.equal(errorCondition(await adminSet(ann, room, [{ jid: `cid@${muc.domain}/pc`, affiliation: 'member' }])), 'jid-malformed');
    // The sole owner cannot step down.
    assert.equal(errorCondition(await adminSet(ann, room, [{ jid: `ann@${muc.domain}`, affiliation: 'admin' }])), 'conflict');
    assert.deepEqual((await affiliationList(ann, room, 'owner')).map((i) => i.jid), [`ann@${muc.domain}`]);
    assert.deepEqual(await affiliationList(ann, room, 'member'), []);
    assert.deepEqual(await affiliationList(ann, room, 'admin'), []);
    // Configuration: wrong field types and a wrong FORM_TYPE.
    assert.equal(errorCondition(await configure(ann, room, { 'muc#roomconfig_maxusers': 'lots' })), 'not-acceptable');
    assert.equal(errorCondition(await configure(ann, room, { 'muc#roomconfig_persistentroom': 'maybe' })), 'not-acceptable');
    assert.equal(errorCondition(await configure(ann, room, { 'muc#roomconfig_passwordprotectedroom': '1' })), 'not-acceptable', 'no password given');
    const wrongType = await iqTo(ann, room, 'set', `<query xmlns="${MUC_OWNER}"><x xmlns="jabber:x:data" type="submit"><field var="FORM_TYPE"><value>urn:example:other</value></field></x></query>`);
    assert.equal(errorCondition(wrongType), 'bad-request');
    assert.equal(errorCondition(await iqTo(bob, room, 'get', `<query xmlns="${MUC_OWNER}"/>`)), 'forbidden');
    const form = await iqOk(ann, room, 'get', `<query xmlns="${MUC_OWNER}"/>`);
    const value = (v: string) => form.getChild('query')!.getChild('x', 'jabber:x:data')!.getChildren('field').find((f) => f.attrs.var === v)?.getChildText('value');
    assert.equal(value('muc#roomconfig_maxusers'), '200');
    assert.equal(value('muc#roomconfig_persistentroom'), '0');
    assert.equal(value('muc#roomconfig_passwordprotectedroom'), '0');
    // Groupchat from a non-occupant; groupchat to a nick.
    const eve = await login('eve');
    await send(eve, `<message to="${room}" type="groupchat" id="e1"><body>hi</body></message>`);
    assert.equal(errorCondition(await expectStanza(eve, `<message id="e1" type="error"/>`)), 'not-acceptable');
    await send(bob, `<message to="${room}/Ann" type="groupchat" id="e2"><body>hi</body></message>`);
    assert.equal(errorCondition(await expectStanza(bob, `<message id="e2" type="error"/>`)), 'bad-request');
    await expectNoStanza(ann, `<message id="e1"/>`, 200);
  });
});
