// New MUC beside a second, independent XEP-0045 implementation: slixmpp's own xep_0045 plugin
// (Ann) in one room with a New MUC client (Bo, raw urn:xmpp:muc:0 over @xmpp/client) and a
// bare-JID occupant (Cy, joined through its server). Each sees the others in its own protocol.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { skipUnless } from '../helpers/services.ts';
import { startSlixMuc, type SlixMuc } from '../helpers/slix-muc.ts';
import { expectStanza, send } from '../helpers/xmppjs.ts';
import { iqOk, mucSuite, occupantIdOf } from '../helpers/muc.ts';
import { muc2Join, nicknameOf, pamJoin } from '../helpers/newmuc.ts';

const SKIP = skipUnless('slixmpp');

describe('New MUC with a slixmpp XEP-0045 client in the room', { skip: SKIP }, () => {
  let ann: SlixMuc;
  // Registered before the suite's hooks, so slixmpp quits before the server stops.
  after(async () => {
    await ann?.quit();
  });
  const muc = mucSuite(['ann', 'bo', 'cy'], 'mix');
  const { login, newRoom } = muc;
  before(async () => {
    ann = await startSlixMuc({ port: muc.server.ports.c2s, jid: `ann@${muc.domain}/slix`, password: 'ann-secret' });
  });

  test('messages and presence both ways; a bare-JID occupant is in slixmpp\'s roster', async () => {
    const room = newRoom();
    const [bo, cy] = await Promise.all([login('bo'), login('cy')]);
    const created = await muc2Join(bo, room, 'Bo');
    const boId = occupantIdOf(created.self!)!;
    await iqOk(bo, room, 'set', '<query xmlns="http://jabber.org/protocol/muc#owner"><x xmlns="jabber:x:data" type="submit"/></query>');
    assert.equal((await pamJoin(cy, room, 'Cy')).attrs.type, 'result');

    const joined = await ann.request({ op: 'join', room, nick: 'Ann', maxstanzas: 0 });
    assert.equal(joined.event, 'result', JSON.stringify(joined));
    assert.deepEqual([...(joined.occupants as string[])].sort(), ['Bo', 'Cy'], 'the New MUC and the bare-JID occupant, by nick');

    const annSeen = await expectStanza(bo, (el) => el.name === 'presence' && nicknameOf(el) === 'Ann');
    const annId = occupantIdOf(annSeen)!;
    assert.equal(annSeen.attrs.from, `${room}/-${annId}`);

    assert.equal((await ann.request({ op: 'message', room, body: 'hello from slixmpp', id: 'sx1' })).event, 'result');
    const got = await expectStanza(bo, `<message from="${room}/-${annId}" type="groupchat" id="sx1"><body>hello from slixmpp</body></message>`);
    assert.ok(got.getChild('stanza-id', 'urn:xmpp:sid:0'));

    await send(bo, `<message to="${room}" type="groupchat" id="bx1"><body>hello from New MUC</body></message>`);
    const seen = await ann.waitForEvent('groupchat', 10_000, (e) => e.id === 'bx1');
    assert.equal(seen.nick, 'Bo');
    assert.equal(seen.occupant_id, boId);
    const own = await expectStanza(bo, `<message from="${room}/-${boId}" type="groupchat" id="bx1"/>`);
    assert.ok(seen.stanza_id);
    assert.equal(seen.stanza_id, own.getChild('stanza-id', 'urn:xmpp:sid:0')?.attrs.id, 'one stanza-id for both views');
  });
});
