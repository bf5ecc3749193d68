// New MUC presence levels and visibility (new-muc.md §4 checks 4 and 8, §5): level none gets no
// presence but the subject with its archive summary; level join drops status changes but keeps
// joins, leaves and role changes; anonymous visibility hides the real JID even from moderators and
// is refused where the room cannot honour it. Bad values → bad-request.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectNoStanza, expectStanza, send } from '../helpers/xmppjs.ts';
import { adminSet, configure, createInstantRoom, iqOk, item, join, MUC_ADMIN, MUC_USER, mucSuite, occupantIdOf } from '../helpers/muc.ts';
import { mamQuery } from '../helpers/mam.ts';
import { fromNowOn, MAM, muc2Join, muc2JoinError, nicknameOf } from '../helpers/newmuc.ts';

const USERS = ['ann', 'bo', 'cy'];

describe('New MUC presence levels and visibility', () => {
  const muc = mucSuite(USERS, 'lv');
  const { login, newRoom } = muc;

  test("check 4: level none — no presence at all, yet the subject with the archive summary; messages still flow", async () => {
    const room = newRoom();
    const [ann, bo, cy] = await Promise.all([login('ann'), login('bo'), login('cy')]);
    await createInstantRoom(ann, room, 'Ann');
    await send(ann, `<message to="${room}" type="groupchat" id="h1"><body>before</body></message>`);
    await expectStanza(ann, `<message from="${room}/Ann" id="h1"/>`);
    const bj = await muc2Join(bo, room, 'Bo', { level: 'none', history: { maxstanzas: '0' } });
    assert.equal(bj.presences.length, 0, bj.stanzas.map(String).join('\n'));
    const boPresence = fromNowOn(bo, (el) => el.name === 'presence');
    const meta = bj.subject.getChild('metadata', MAM);
    assert.ok(meta?.getChild('start')?.attrs.id, 'summary names the first archived message');
    assert.equal(meta?.getChild('end')?.attrs.id, meta?.getChild('start')?.attrs.id);
    await expectStanza(ann, `<presence from="${room}/Bo"/>`);
    await join(cy, room, 'Cy');
    await send(cy, `<presence to="${room}/Cy"><show>away</show></presence>`);
    await send(ann, `<message to="${room}" type="groupchat" id="h2"><body>after</body></message>`);
    await expectStanza(bo, (el) => el.name === 'message' && el.attrs.id === 'h2');
    await expectNoStanza(bo, boPresence, 300);
  });

  test("check 4: level join — A's away is not delivered, a role change and A's leave are", async () => {
    const room = newRoom();
    const [ann, bo, cy] = await Promise.all([login('ann'), login('bo'), login('cy')]);
    await createInstantRoom(ann, room, 'Ann');
    await join(cy, room, 'Cy');
    const bj = await muc2Join(bo, room, 'Bo', { level: 'join' });
    const cyId = occupantIdOf(bj.presences.find((p) => nicknameOf(p) === 'Cy')!)!;
    const cyPresence = fromNowOn(bo, (el) => el.name === 'presence' && el.attrs.from === `${room}/-${cyId}`);
    await send(cy, `<presence to="${room}/Cy"><show>away</show></presence>`);
    await expectStanza(ann, (el) => el.name === 'presence' && el.attrs.from === `${room}/Cy` && el.getChildText('show') === 'away');
    await expectNoStanza(bo, cyPresence, 300);
    assert.equal((await adminSet(ann, room, [{ nick: 'Cy', role: 'visitor' }])).attrs.type, 'result');
    const demoted = await expectStanza(bo, cyPresence);
    assert.equal(item(demoted).role, 'visitor');
    await send(cy, `<presence to="${room}/Cy" type="unavailable"/>`);
    const left = await expectStanza(bo, cyPresence);
    assert.equal(left.attrs.type, 'unavailable');
  });

  test('bad presence level or visibility value → bad-request, and the room is unchanged', async () => {
    const room = newRoom();
    const [ann, bo] = await Promise.all([login('ann'), login('bo')]);
    await createInstantRoom(ann, room, 'Ann');
    const anyPresence = fromNowOn(ann, (el) => el.name === 'presence' && String(el.attrs.from).startsWith(`${room}/`));
    assert.equal(await muc2JoinError(bo, room, 'Bo', { level: 'loud' }), 'bad-request');
    assert.equal(await muc2JoinError(bo, room, 'Bo', { visibility: 'invisible' }), 'bad-request');
    assert.equal(await muc2JoinError(bo, room, 'Bo', { raw: '<nickname>A</nickname><nickname>B</nickname>' }), 'jid-malformed');
    assert.equal(await muc2JoinError(bo, room, null), 'jid-malformed', 'no nickname and none reserved');
    await expectNoStanza(ann, anyPresence, 300);
    await muc2Join(bo, room, 'Bo');
    await expectStanza(ann, `<presence from="${room}/Bo"/>`);
  });

  test('check 8: anonymous visibility — refused in a non-anonymous room; in a semi-anonymous one even moderators see no JID', async () => {
    const room = newRoom();
    const [ann, bo, cy] = await Promise.all([login('ann'), login('bo'), login('cy')]);
    await createInstantRoom(ann, room, 'Ann');
    // Semi-anonymous (default): Ann moderates and would see real JIDs.
    await join(cy, room, 'Cy');
    const cySeen = await expectStanza(ann, `<presence from="${room}/Cy"/>`);
    assert.equal(item(cySeen).jid, String(cy.jid));
    await muc2Join(bo, room, 'Bo', { visibility: 'anonymous' });
    const boSeen = await expectStanza(ann, `<presence from="${room}/Bo"/>`);
    assert.equal(item(boSeen).jid, undefined, 'anonymous: hidden from the moderator');
    // …also in the room archive and the role list the moderator reads.
    await send(bo, `<message to="${room}" type="groupchat" id="anon1"><body>who am I</body></message>`);
    await send(cy, `<message to="${room}" type="groupchat" id="cy1"><body>Cy here</body></message>`);
    await expectStanza(ann, `<message from="${room}/Cy" id="cy1"/>`);
    const { results } = await mamQuery(ann, { to: room });
    const jidIn = (body: string) => results.find((r) => r.body === body)?.message.getChild('x', MUC_USER)?.getChild('item')?.attrs.jid;
    assert.equal(jidIn('Cy here'), String(cy.jid), 'the moderator sees real JIDs in the archive');
    assert.ok(results.some((r) => r.body === 'who am I'));
    assert.equal(jidIn('who am I'), undefined, 'but not the anonymous occupant\'s');
    const roles = await iqOk(ann, room, 'get', `<query xmlns="${MUC_ADMIN}"><item role="participant"/></query>`);
    const items = roles.getChild('query', MUC_ADMIN)!.getChildren('item');
    assert.equal(items.find((i) => i.attrs.nick === 'Cy')?.attrs.jid, String(cy.jid));
    assert.ok(items.some((i) => i.attrs.nick === 'Bo'));
    assert.equal(items.find((i) => i.attrs.nick === 'Bo')?.attrs.jid, undefined);
    // A second session of Bo asking otherwise conflicts.
    const bo2 = await login('bo', 'second');
    assert.equal(await muc2JoinError(bo2, room, 'Bo', { visibility: 'non-anonymous' }), 'conflict');
    // Non-anonymous room: an anonymous request cannot be honoured.
    const room2 = newRoom();
    await createInstantRoom(ann, room2, 'Ann');
    assert.equal((await configure(ann, room2, { 'muc#roomconfig_whois': 'anyone' })).attrs.type, 'result');
    assert.equal(await muc2JoinError(cy, room2, 'Cy', { visibility: 'anonymous' }), 'not-acceptable');
    // non-anonymous in a semi-anonymous room: shown to every occupant.
    const room3 = newRoom();
    await createInstantRoom(ann, room3, 'Ann');
    await join(bo, room3, 'Bo');
    await muc2Join(cy, room3, 'Cy', { visibility: 'non-anonymous' });
    const cyToBo = await expectStanza(bo, `<presence from="${room3}/Cy"/>`);
    assert.equal(item(cyToBo).jid, String(cy.jid), 'participants see a non-anonymous occupant');
  });
});
