// XEP-0421: stable per room and bare JID, different across rooms and users, exactly one element.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newRoomSecret, occupantId, setOccupantId } from '../../../src/modules/muc/occupant-id.ts';
import { xml } from '../../../src/xml/element.ts';

test('stable, 22 base64url characters, per room and per user', () => {
  const a = newRoomSecret();
  const b = newRoomSecret();
  const id = occupantId(a, 'bob@x');
  assert.match(id, /^[A-Za-z0-9_-]{22}$/);
  assert.equal(occupantId(a, 'bob@x'), id);
  assert.notEqual(occupantId(a, 'cid@x'), id);
  assert.notEqual(occupantId(b, 'bob@x'), id, 'another room, another id');
});

test('replaces any occupant-id the sender put in', () => {
  const m = xml('message', {}, xml('occupant-id', { xmlns: 'urn:xmpp:occupant-id:0', id: 'fake' }), xml('body', {}, 'x'), xml('occupant-id', { xmlns: 'urn:xmpp:occupant-id:0', id: 'fake2' }));
  setOccupantId(m, 'real');
  const ids = m.getChildren('occupant-id', 'urn:xmpp:occupant-id:0');
  assert.deepEqual(ids.map((i) => i.attrs.id), ['real']);
});
