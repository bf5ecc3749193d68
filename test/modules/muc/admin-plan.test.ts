// muc#admin sets are checked whole before anything changes: the 1.35.4 reserved-nick rule,
// conflicts, the last-owner rule, malformed items (muc.md §3, §5).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJid } from '../../../src/jid/index.ts';
import { planAdminSet, type Actor, type AffiliationChange } from '../../../src/modules/muc/admin.ts';
import { Room } from '../../../src/modules/muc/room.ts';
import { defaultConfig } from '../../../src/modules/muc/types.ts';
import { StanzaError } from '../../../src/stanza/errors.ts';
import { xml } from '../../../src/xml/element.ts';

function setup(): { room: Room; owner: Actor } {
  const room = new Room({ jid: parseJid('tea@rooms.example'), config: defaultConfig({ maxUsers: 10, maxHistoryFetch: 10 }), secret: Buffer.alloc(32), createdSeq: 1 });
  room.setAffiliation('own@x', 'owner');
  room.setAffiliation('bea@x', 'member', 'Bea');
  room.setAffiliation('cid@x', 'member', 'Cid');
  const entry = room.addSession(parseJid('own@x'), parseJid('own@x/pc'), 'Own', 'moderator', xml('presence'));
  return { room, owner: { bare: parseJid('own@x'), entry, affiliation: 'owner', role: 'moderator' } };
}
const items = (...attrs: Array<Record<string, string>>) => attrs.map((a) => xml('item', a));
const condition = (f: () => unknown) => {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (e instanceof StanzaError) return e.condition;
    throw e;
  }
};

test('1.35.4: no nick keeps, nick="" unsets, a non-empty nick sets (the digest example)', () => {
  const { room, owner } = setup();
  const changes = planAdminSet(room, owner, items(
    { affiliation: 'member', jid: 'bea@x' },
    { affiliation: 'member', jid: 'cid@x', nick: '' },
    { affiliation: 'member', jid: 'dee@x', nick: 'Dee' },
  )) as AffiliationChange[];
  assert.deepEqual(changes.map((c) => [c.jid, c.nick]), [['bea@x', undefined], ['cid@x', null], ['dee@x', 'Dee']]);
});

test('outcast items never carry a nick; removal drops the reservation', () => {
  const { room, owner } = setup();
  const [ban, drop] = planAdminSet(room, owner, items({ affiliation: 'outcast', jid: 'bea@x', nick: 'Bea' }, { affiliation: 'none', jid: 'cid@x' })) as AffiliationChange[];
  assert.equal(ban.nick, null);
  assert.equal(drop.nick, null);
});

test('a nick reserved or held by someone else fails the whole set', () => {
  const { room, owner } = setup();
  assert.equal(condition(() => planAdminSet(room, owner, items({ affiliation: 'member', jid: 'dee@x', nick: 'bea' }))), 'conflict');
  assert.equal(condition(() => planAdminSet(room, owner, items({ affiliation: 'member', jid: 'dee@x', nick: 'own' }))), 'conflict', 'in use by the occupant Own');
  assert.equal(condition(() => planAdminSet(room, owner, items({ affiliation: 'member', jid: 'dee@x', nick: 'Z' }, { affiliation: 'member', jid: 'eve@x', nick: 'z' }))), 'conflict', 'two claims in one set');
  assert.equal(condition(() => planAdminSet(room, owner, items({ affiliation: 'member', jid: 'bea@x', nick: 'Bea' }))), 'ok', 'her own nick');
});

test('malformed items', () => {
  const { room, owner } = setup();
  assert.equal(condition(() => planAdminSet(room, owner, [])), 'bad-request');
  assert.equal(condition(() => planAdminSet(room, owner, items({ jid: 'a@x' }))), 'bad-request');
  assert.equal(condition(() => planAdminSet(room, owner, items({ affiliation: 'member', role: 'visitor', jid: 'a@x' }))), 'bad-request');
  assert.equal(condition(() => planAdminSet(room, owner, items({ affiliation: 'chief', jid: 'a@x' }))), 'bad-request');
  assert.equal(condition(() => planAdminSet(room, owner, items({ role: 'boss', nick: 'Own' }))), 'bad-request');
  assert.equal(condition(() => planAdminSet(room, owner, items({ affiliation: 'member', jid: 'a@x/res' }))), 'jid-malformed');
  assert.equal(condition(() => planAdminSet(room, owner, items({ affiliation: 'member', jid: '@@' }))), 'jid-malformed');
  assert.equal(condition(() => planAdminSet(room, owner, items({ role: 'visitor', nick: 'Nobody' }))), 'item-not-found');
  assert.equal(condition(() => planAdminSet(room, owner, items({ affiliation: 'member', jid: 'a@x', nick: '-q3v9LmZ0c1dxYW5vbkJvQ2' }))), 'not-acceptable');
});

test('the room keeps an owner; non-owners are refused', () => {
  const { room, owner } = setup();
  assert.equal(condition(() => planAdminSet(room, owner, items({ affiliation: 'admin', jid: 'own@x' }))), 'conflict');
  assert.equal(condition(() => planAdminSet(room, owner, items({ affiliation: 'owner', jid: 'bea@x' }, { affiliation: 'admin', jid: 'own@x' }))), 'ok', 'handing over in one set');
  const member: Actor = { bare: parseJid('bea@x'), entry: undefined, affiliation: 'member', role: 'none' };
  assert.equal(condition(() => planAdminSet(room, member, items({ affiliation: 'member', jid: 'zed@x' }))), 'forbidden');
  const admin: Actor = { bare: parseJid('adm@x'), entry: undefined, affiliation: 'admin', role: 'none' };
  assert.equal(condition(() => planAdminSet(room, admin, items({ affiliation: 'member', jid: 'zed@x' }, { affiliation: 'outcast', jid: 'own@x' }))), 'not-allowed');
});
