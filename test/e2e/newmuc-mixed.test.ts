// New MUC beside XEP-0045 in one room (new-muc.md §4 checks 1-3, 6, 7): a MUC1 client (Ann, plain
// @xmpp/client XEP-0045) and New MUC clients (Bo, Cy: raw urn:xmpp:muc:0 stanzas) see each other's
// presence, messages, private messages, nick changes, kicks and subject — each in its own protocol's
// view, once. Bad input: occupant-address nicks, unknown -id addresses, malformed nicknames.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectNoStanza, expectStanza, send } from '../helpers/xmppjs.ts';
import { adminSet, createInstantRoom, errorCondition, iqOk, iqTo, item, join, joinError, MUC_USER, mucSuite, occupantIdOf, statusCodes } from '../helpers/muc.ts';
import { MAM, MUC2, muc2Join, muc2JoinError, nicknameOf } from '../helpers/newmuc.ts';

const USERS = ['ann', 'bo', 'cy'];
const STANZA_ID = 'urn:xmpp:sid:0';

describe('New MUC and XEP-0045 clients in one room', () => {
  const muc = mucSuite(USERS, 'nm');
  const { login, newRoom } = muc;

  test('rooms advertise urn:xmpp:muc:0 only when archived; a New MUC join elsewhere is feature-not-implemented', async () => {
    const ann = await login('ann');
    const room = newRoom();
    await createInstantRoom(ann, room, 'Ann');
    const features = async () => (await iqOk(ann, room, 'get', '<query xmlns="http://jabber.org/protocol/disco#info"/>')).getChild('query')!.getChildren('feature').map((f) => f.attrs.var);
    assert.ok((await features()).includes(MUC2));
    const bo = await login('bo');
    const off = (await iqOk(ann, room, 'set', `<query xmlns="http://jabber.org/protocol/muc#owner"><x xmlns="jabber:x:data" type="submit"><field var="FORM_TYPE"><value>http://jabber.org/protocol/muc#roomconfig</value></field><field var="muc#roomconfig_enablelogging"><value>0</value></field></x></query>`));
    assert.equal(off.attrs.type, 'result');
    assert.ok(!(await features()).includes(MUC2), 'not archived: not advertised');
    assert.equal(await muc2JoinError(bo, room, 'Bo'), 'feature-not-implemented');
  });

  test('check 1-2: MUC1 sees room/Bo, New MUC sees room/-<id> with <nickname/>; groupchat once each, same stanza-id', async () => {
    const room = newRoom();
    const [ann, bo, cy] = await Promise.all([login('ann'), login('bo'), login('cy')]);
    await createInstantRoom(ann, room, 'Ann');
    const bj = await muc2Join(bo, room, 'Bo');
    // Bo sees Ann by occupant address, with her nickname; and itself (110) by its own address.
    const annSeen = bj.presences.find((p) => nicknameOf(p) === 'Ann')!;
    assert.ok(annSeen, bj.stanzas.map(String).join('\n'));
    const annId = occupantIdOf(annSeen)!;
    assert.equal(annSeen.attrs.from, `${room}/-${annId}`);
    assert.ok(bj.self, 'self-presence at level full');
    const boId = occupantIdOf(bj.self!)!;
    assert.equal(bj.self!.attrs.from, `${room}/-${boId}`);
    assert.equal(nicknameOf(bj.self!), 'Bo');
    assert.equal(bj.subject.getChild('metadata', MAM)?.name, 'metadata', 'the join subject carries the archive summary');
    // Ann (MUC1) sees Bo by nick, no New MUC markup.
    const boSeen = await expectStanza(ann, `<presence from="${room}/Bo"/>`);
    assert.equal(occupantIdOf(boSeen), boId);
    assert.equal(nicknameOf(boSeen), undefined);

    const cj = await muc2Join(cy, room, 'Cy');
    assert.ok(cj.presences.some((p) => p.attrs.from === `${room}/-${boId}` && nicknameOf(p) === 'Bo'));
    assert.equal(cj.subject.getChild('subject')?.getText(), '');

    // Ann's message: Bo and Cy get it from her occupant address, with her occupant-id.
    await send(ann, `<message to="${room}" type="groupchat" id="a1"><body>hi from ann</body></message>`);
    const annMsg = await expectStanza(ann, `<message from="${room}/Ann" id="a1"/>`);
    const boGot = await expectStanza(bo, `<message from="${room}/-${annId}" type="groupchat" id="a1"><body>hi from ann</body></message>`);
    assert.equal(occupantIdOf(boGot), annId);
    // Bo's message (sent to the bare room JID as in MUC1): Ann sees room/Bo, Cy and Bo room/-<Bo>.
    await send(bo, `<message to="${room}" type="groupchat" id="b1"><body>hi from bo</body></message>`);
    const [a, b, c] = await Promise.all([
      expectStanza(ann, `<message from="${room}/Bo" type="groupchat" id="b1"/>`),
      expectStanza(bo, `<message from="${room}/-${boId}" type="groupchat" id="b1"/>`),
      expectStanza(cy, `<message from="${room}/-${boId}" type="groupchat" id="b1"/>`),
    ]);
    const sid = (m: typeof a) => m.getChild('stanza-id', STANZA_ID)?.attrs.id;
    assert.ok(sid(a));
    assert.equal(sid(b), sid(a));
    assert.equal(sid(c), sid(a));
    assert.equal(occupantIdOf(a), boId);
    assert.ok(sid(annMsg));
    // Nothing twice.
    await expectNoStanza(cy, (el) => el.name === 'message' && el.attrs.id === 'b1', 300);
    await expectNoStanza(ann, (el) => el.name === 'message' && el.attrs.id === 'b1', 10);
    // Status and leave go to the bare room JID too.
    await send(bo, '<presence to="' + room + '"><show>away</show></presence>');
    await expectStanza(ann, (el) => el.name === 'presence' && el.attrs.from === `${room}/Bo` && el.getChildText('show') === 'away');
    await expectStanza(cy, (el) => el.name === 'presence' && el.attrs.from === `${room}/-${boId}` && el.getChildText('show') === 'away' && nicknameOf(el) === 'Bo');
    await send(bo, '<presence to="' + room + '" type="unavailable"/>');
    await expectStanza(ann, `<presence from="${room}/Bo" type="unavailable"/>`);
    const selfGone = await expectStanza(bo, `<presence from="${room}/-${boId}" type="unavailable"/>`);
    assert.ok(statusCodes(selfGone).includes('110'));
  });

  test('check 3: private messages across protocols; unknown -id address → item-not-found', async () => {
    const room = newRoom();
    const [ann, bo] = await Promise.all([login('ann'), login('bo')]);
    await createInstantRoom(ann, room, 'Ann');
    const bj = await muc2Join(bo, room, 'Bo');
    const annId = occupantIdOf(bj.presences.find((p) => nicknameOf(p) === 'Ann')!)!;
    const boId = occupantIdOf(bj.self!)!;
    await send(ann, `<message to="${room}/Bo" type="chat" id="pm1"><body>psst</body></message>`);
    await expectStanza(bo, `<message from="${room}/-${annId}" type="chat" id="pm1"><body>psst</body></message>`);
    await send(bo, `<message to="${room}/-${annId}" type="chat" id="pm2"><body>back</body></message>`);
    const got = await expectStanza(ann, `<message from="${room}/Bo" type="chat" id="pm2"><body>back</body></message>`);
    assert.equal(occupantIdOf(got), boId);
    await send(bo, `<message to="${room}/-AAAAAAAAAAAAAAAAAAAAAA" type="chat" id="pm3"><body>nobody</body></message>`);
    const err = await expectStanza(bo, (el) => el.name === 'message' && el.attrs.id === 'pm3' && el.attrs.type === 'error');
    assert.equal(errorCondition(err), 'item-not-found');
    // An iq to an unknown occupant address: item-not-found too; to Ann's address it reaches Ann.
    const bad = await iqTo(bo, `${room}/-AAAAAAAAAAAAAAAAAAAAAA`, 'get', '<query xmlns="jabber:iq:version"/>');
    assert.equal(errorCondition(bad), 'item-not-found');
    const relayed = iqTo(bo, `${room}/-${annId}`, 'get', '<ping xmlns="urn:xmpp:ping"/>');
    const req = await expectStanza(ann, (el) => el.name === 'iq' && el.attrs.from === `${room}/Bo`);
    await send(ann, `<iq type="result" id="${req.attrs.id}" to="${room}/Bo"/>`);
    const answer = await relayed;
    assert.equal(answer.attrs.type, 'result');
    assert.equal(answer.attrs.from, `${room}/-${annId}`);
  });

  test('check 6: a New MUC nick change is one presence to New MUC, the 303 pair to MUC1; two nicknames → jid-malformed', async () => {
    const room = newRoom();
    const [ann, bo, cy] = await Promise.all([login('ann'), login('bo'), login('cy')]);
    await createInstantRoom(ann, room, 'Ann');
    const bj = await muc2Join(bo, room, 'Bo');
    const boId = occupantIdOf(bj.self!)!;
    await muc2Join(cy, room, 'Cy');
    await expectStanza(ann, `<presence from="${room}/Cy"/>`);
    await send(bo, `<presence to="${room}"><nickname xmlns="${MUC2}">Bob</nickname></presence>`);
    const gone = await expectStanza(ann, `<presence from="${room}/Bo" type="unavailable"/>`);
    assert.deepEqual(statusCodes(gone), ['303']);
    assert.equal(item(gone).nick, 'Bob');
    const back = await expectStanza(ann, `<presence from="${room}/Bob"/>`);
    assert.equal(nicknameOf(back), undefined, 'the MUC1 view carries no New MUC nickname element');
    const cySees = await expectStanza(cy, (el) => el.name === 'presence' && el.attrs.from === `${room}/-${boId}` && nicknameOf(el) === 'Bob');
    assert.notEqual(cySees.attrs.type, 'unavailable');
    await expectNoStanza(cy, (el) => el.name === 'presence' && el.attrs.type === 'unavailable', 300);
    // Bo's own view: one self-presence with the new nickname.
    const self = await expectStanza(bo, (el) => el.name === 'presence' && el.attrs.from === `${room}/-${boId}` && nicknameOf(el) === 'Bob');
    assert.ok(statusCodes(self).includes('110'));
    // Bad: two nicknames → jid-malformed; the nick stays Bob.
    await send(bo, `<presence to="${room}" id="nn"><nickname xmlns="${MUC2}">X</nickname><nickname xmlns="${MUC2}">Y</nickname></presence>`);
    const err = await expectStanza(bo, (el) => el.name === 'presence' && el.attrs.type === 'error' && el.attrs.id === 'nn');
    assert.equal(errorCondition(err), 'jid-malformed');
    await send(ann, `<message to="${room}" type="groupchat" id="a2"><body>still Bob?</body></message>`);
    await expectStanza(ann, `<message from="${room}/Ann" id="a2"/>`);
    await expectNoStanza(ann, `<presence from="${room}/X"/>`, 200);
  });

  test('a New MUC join creates a room (201, owner); a MUC1 client then joins it', async () => {
    const room = newRoom();
    const [ann, bo] = await Promise.all([login('ann'), login('bo')]);
    const bj = await muc2Join(bo, room, 'Bo');
    assert.deepEqual(statusCodes(bj.self!).sort(), ['110', '170', '201']);
    assert.equal(item(bj.self!).affiliation, 'owner');
    assert.equal(nicknameOf(bj.self!), 'Bo');
    assert.equal((await iqOk(bo, room, 'set', '<query xmlns="http://jabber.org/protocol/muc#owner"><x xmlns="jabber:x:data" type="submit"/></query>')).attrs.type, 'result');
    const aj = await join(ann, room, 'Ann');
    assert.ok(aj.occupants.some((p) => p.attrs.from === `${room}/Bo`));
    await expectStanza(bo, (el) => el.name === 'presence' && nicknameOf(el) === 'Ann');
  });

  test('check 7: a MUC1 nick shaped like an occupant address → not-acceptable; forged nickname is stripped', async () => {
    const room = newRoom();
    const [ann, bo] = await Promise.all([login('ann'), login('bo')]);
    await createInstantRoom(ann, room, 'Ann');
    assert.equal(await joinError(bo, room, '-q3v9LmZ0c1dxYW5vbkJvQ2'), 'not-acceptable');
    await join(bo, room, 'Bo', { extra: `<nickname xmlns="${MUC2}">Forged</nickname>` });
    const seen = await expectStanza(ann, `<presence from="${room}/Bo"/>`);
    assert.equal(seen.getChild('nickname', MUC2), undefined, 'a client-sent nickname is never reflected');
  });

  test('kick and subject reach both views; a kicked New MUC client gets its own 307', async () => {
    const room = newRoom();
    const [ann, bo, cy] = await Promise.all([login('ann'), login('bo'), login('cy')]);
    await createInstantRoom(ann, room, 'Ann');
    await join(cy, room, 'Cy');
    const bj = await muc2Join(bo, room, 'Bo');
    const boId = occupantIdOf(bj.self!)!;
    const annId = occupantIdOf(bj.presences.find((p) => nicknameOf(p) === 'Ann')!)!;
    await send(ann, `<message to="${room}" type="groupchat" id="s1"><subject>Tea time</subject></message>`);
    const subj = await expectStanza(bo, `<message from="${room}/-${annId}" type="groupchat" id="s1"><subject>Tea time</subject></message>`);
    assert.equal(subj.getChild('metadata', MAM), undefined, 'a subject change is not a join: no summary');
    await expectStanza(cy, `<message from="${room}/Ann" id="s1"/>`);
    const kicked = await adminSet(ann, room, [{ nick: 'Bo', role: 'none' }]);
    assert.equal(kicked.attrs.type, 'result');
    const own = await expectStanza(bo, `<presence from="${room}/-${boId}" type="unavailable"/>`);
    assert.deepEqual(statusCodes(own).sort(), ['110', '307']);
    const cySees = await expectStanza(cy, `<presence from="${room}/Bo" type="unavailable"/>`);
    assert.deepEqual(statusCodes(cySees), ['307']);
    assert.equal(item(cySees).role, 'none');
    assert.equal(cySees.getChild('x', MUC_USER)?.getChild('nickname', MUC2), undefined);
  });
});
