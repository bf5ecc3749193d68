// docs/quic.md §4.3: which lane a stanza takes, and how a new QUIC stream is told apart (sniff.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseElement } from '../../../src/xml/parse-element.ts';
import { laneKey } from '../../../src/net/quic/lane-rule.ts';
import { classifyStart } from '../../../src/net/quic/sniff.ts';

const el = (s: string) => parseElement(s)!;
const me = 'alice@example.org';

test('a conversation has one key in both directions, whatever the resources', () => {
  const out = laneKey(el(`<message to="Bob@example.net/phone" type="chat"/>`), me, 'to');
  const back = laneKey(el(`<message from="bob@example.net/laptop" to="alice@example.org/x" type="chat"/>`), me, 'from');
  assert.equal(out, 'std|alice@example.org|bob@example.net');
  assert.equal(back, out);
  assert.notEqual(laneKey(el(`<message to="carol@example.net"/>`), me, 'to'), out);
});

test('in-band bytestream data gets its own class', () => {
  assert.equal(laneKey(el(`<message to="bob@example.net"><data xmlns="http://jabber.org/protocol/ibb" sid="s" seq="0">AA==</data></message>`), me, 'to'), 'ibb|alice@example.org|bob@example.net');
});

test('control traffic stays on lane 0', () => {
  for (const s of [
    `<iq type="get" id="r"><query xmlns="jabber:iq:roster"/></iq>`,
    `<iq type="get" id="p" to="example.org"><ping xmlns="urn:xmpp:ping"/></iq>`,
    `<iq type="set" id="b" to="alice@example.org"><pubsub xmlns="http://jabber.org/protocol/pubsub"/></iq>`,
    `<presence/>`,
    `<presence to="bob@example.net" type="subscribe"/>`,
  ]) assert.equal(laneKey(el(s), me, 'to'), null, s);
  // Delivered to the client: a contact's presence is lane 0, a room occupant's travels with the room.
  assert.equal(laneKey(el(`<presence from="bob@example.net/x"/>`), me, 'from'), null);
  assert.equal(laneKey(el(`<presence from="room@muc.example.net/bob"><x xmlns="http://jabber.org/protocol/muc#user"/></presence>`), me, 'from'), 'std|alice@example.org|room@muc.example.net');
});

test('carbons take the key of the message they wrap', () => {
  const carbon = el(`<message from="alice@example.org" to="alice@example.org/b"><received xmlns="urn:xmpp:carbons:2"><forwarded xmlns="urn:xmpp:forward:0"><message from="bob@example.net/x" to="alice@example.org/a" type="chat"/></forwarded></received></message>`);
  assert.equal(laneKey(carbon, me, 'from'), 'std|alice@example.org|bob@example.net');
});

test('sniffing: a lane is a header followed by <lane/>; a header alone is a session once the wait is over', () => {
  const header = `<?xml version='1.0'?><stream:stream to="example.org" xmlns="jabber:client" xmlns:stream="http://etherx.jabber.org/streams" version="1.0">`;
  assert.equal(classifyStart(header.slice(0, 20), false), 'more');
  assert.equal(classifyStart(header, false), 'more');
  assert.equal(classifyStart(header, true), 'session');
  assert.equal(classifyStart(header + '<la', false), 'more');
  assert.equal(classifyStart(header + `<lane xmlns="urn:xmpp:quic-mux:0" sid="s" n="1"/>`, false), 'lane');
  assert.equal(classifyStart(header + '<auth', false), 'session');
});
