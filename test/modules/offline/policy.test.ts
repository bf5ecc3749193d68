// XEP-0160 §3 storage rules, XEP-0334 hints and the XEP-0203 delay stamp.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { storeVerdict, withDelay } from '../../../src/modules/offline/policy.ts';
import { xml } from '../../../src/xml/element.ts';

const body = (t = 'hi') => xml('body', {}, t);
const msg = (type: string | undefined, ...children: ReturnType<typeof xml>[]) => xml('message', { xmlns: 'jabber:client', type, to: 'bob@localhost', from: 'alice@localhost/a' }, ...children);
const CS = 'http://jabber.org/protocol/chatstates';
const HINTS = 'urn:xmpp:hints';

describe('XEP-0160 §3 which messages are stored', () => {
  test('normal (no type), normal and chat with a body are stored', () => {
    assert.equal(storeVerdict(msg(undefined, body())), 'store');
    assert.equal(storeVerdict(msg('normal', body())), 'store');
    assert.equal(storeVerdict(msg('chat', body())), 'store');
  });
  test('groupchat, headline and error are not', () => {
    for (const t of ['groupchat', 'headline', 'error']) assert.equal(storeVerdict(msg(t, body())), 'wrong-type', t);
  });
  test('a chat state alone is not stored, a chat state with a body is', () => {
    assert.equal(storeVerdict(msg('chat', xml('composing', { xmlns: CS }))), 'chat-state-only');
    assert.equal(storeVerdict(msg('chat', xml('active', { xmlns: CS }), xml('thread', {}, 't1'))), 'chat-state-only');
    assert.equal(storeVerdict(msg('chat', xml('active', { xmlns: CS }), body())), 'store');
  });
  test('a delivery receipt without body is stored (it is content, not a chat state)', () => {
    assert.equal(storeVerdict(msg('chat', xml('received', { xmlns: 'urn:xmpp:receipts', id: 'x' }))), 'store');
  });
  test('XEP-0334 <no-store/> prevents storage, <store/> forces it', () => {
    assert.equal(storeVerdict(msg('chat', body(), xml('no-store', { xmlns: HINTS }))), 'no-store-hint');
    assert.equal(storeVerdict(msg('chat', xml('gone', { xmlns: CS }), xml('store', { xmlns: HINTS }))), 'store');
  });
  test('<no-store/> in another namespace is not the hint', () => {
    assert.equal(storeVerdict(msg('chat', body(), xml('no-store', { xmlns: 'urn:example' }))), 'store');
  });
});

describe('XEP-0203 delay on stored messages', () => {
  const at = new Date(Date.UTC(2024, 1, 29, 23, 8, 25, 120));
  test('adds <delay from=domain stamp=...>Offline Storage</delay> to a copy', () => {
    const original = msg('chat', body());
    const stored = withDelay(original, 'localhost', at);
    const delay = stored.getChild('delay', 'urn:xmpp:delay');
    assert.ok(delay);
    assert.equal(delay.attrs.from, 'localhost');
    assert.equal(delay.attrs.stamp, '2024-02-29T23:08:25.120Z');
    assert.match(delay.attrs.stamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/); // XEP-0082 §3.2
    assert.equal(original.getChild('delay', 'urn:xmpp:delay'), undefined, 'the routed stanza is not modified');
  });
  test('keeps a remote delay and does not add ours twice', () => {
    const remote = msg('chat', body(), xml('delay', { xmlns: 'urn:xmpp:delay', from: 'remote.lit', stamp: '2020-01-01T00:00:00Z' }));
    const once = withDelay(remote, 'localhost', at);
    const twice = withDelay(once, 'localhost', at);
    assert.deepEqual(twice.getChildren('delay', 'urn:xmpp:delay').map((d) => d.attrs.from), ['remote.lit', 'localhost']);
  });
});
