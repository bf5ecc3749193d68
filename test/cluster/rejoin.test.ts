// Re-entering a room taken over by another node (src/cluster/rejoin.ts): occupants the client
// knew that the new owner does not announce again are reported gone (status 333) once the
// client's self-presence (110) ends the re-entry; without a re-entry nothing is invented.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { observeOccupant, startRejoin, type RoomView } from '../../src/cluster/rejoin.ts';
import { parseElement } from '../../src/xml/parse-element.ts';

const MUC_USER = 'http://jabber.org/protocol/muc#user';
const p = (from: string, { self = false, type = '', affiliation = 'none' } = {}) =>
  parseElement(`<presence from="${from}" to="me@x/r"${type ? ` type="${type}"` : ''}><x xmlns="${MUC_USER}"><item affiliation="${affiliation}" role="participant"/>${self ? '<status code="110"/>' : ''}</x></presence>`)!;

test('occupants not announced again after a re-entry are reported gone', () => {
  const rooms = new Map<string, RoomView>();
  assert.deepEqual(observeOccupant(rooms, p('room@muc/Alice', { affiliation: 'owner' })), []);
  assert.deepEqual(observeOccupant(rooms, p('room@muc/Bob')), []);
  assert.deepEqual(observeOccupant(rooms, p('room@muc/Me', { self: true })), [], 'a first join reports nothing');
  startRejoin(rooms, 'room@muc');
  assert.deepEqual(observeOccupant(rooms, p('room@muc/Bob')), []);
  const gone = observeOccupant(rooms, p('room@muc/Me', { self: true }));
  assert.equal(gone.length, 1);
  assert.equal(gone[0].attrs.from, 'room@muc/Alice');
  assert.equal(gone[0].attrs.type, 'unavailable');
  assert.equal(gone[0].attrs.to, 'me@x/r');
  const x = gone[0].getChild('x', MUC_USER)!;
  assert.deepEqual(x.getChild('item')!.attrs, { affiliation: 'owner', role: 'none' });
  assert.deepEqual(x.getChildren('status').map((s) => s.attrs.code), ['333']);
  // Alice is forgotten: a later re-entry does not report her again.
  startRejoin(rooms, 'room@muc');
  observeOccupant(rooms, p('room@muc/Bob'));
  assert.deepEqual(observeOccupant(rooms, p('room@muc/Me', { self: true })), []);
});

test('occupants who left normally are not reported; leaving the room forgets it', () => {
  const rooms = new Map<string, RoomView>();
  observeOccupant(rooms, p('room@muc/Cid'));
  observeOccupant(rooms, p('room@muc/Cid', { type: 'unavailable' }));
  observeOccupant(rooms, p('room@muc/Me', { self: true }));
  startRejoin(rooms, 'room@muc');
  assert.deepEqual(observeOccupant(rooms, p('room@muc/Me', { self: true })), []);
  observeOccupant(rooms, p('room@muc/Me', { self: true, type: 'unavailable' }));
  assert.equal(rooms.has('room@muc'), false);
});

test('presence without the MUC payload is not occupant presence', () => {
  const rooms = new Map<string, RoomView>();
  assert.deepEqual(observeOccupant(rooms, parseElement('<presence from="friend@x/r"/>')!), []);
  assert.equal(rooms.size, 0);
});
