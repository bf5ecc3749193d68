// XEP-0198 §4 with RFC 6121 §8.5.3.2: what becomes of stanzas a client never acknowledged.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { disposition, withOriginalDelay } from '../../../src/modules/sm/reroute.ts';
import { xml } from '../../../src/xml/element.ts';

describe('unacknowledged stanzas', () => {
  test('chat and normal messages are delivered elsewhere; groupchat and iq requests bounce; the rest is dropped', () => {
    assert.equal(disposition(xml('message', { type: 'chat' })), 'redeliver');
    assert.equal(disposition(xml('message', {})), 'redeliver');
    assert.equal(disposition(xml('message', { type: 'groupchat' })), 'bounce');
    assert.equal(disposition(xml('message', { type: 'headline' })), 'drop');
    assert.equal(disposition(xml('message', { type: 'error' })), 'drop');
    assert.equal(disposition(xml('iq', { type: 'get' })), 'bounce');
    assert.equal(disposition(xml('iq', { type: 'set' })), 'bounce');
    assert.equal(disposition(xml('iq', { type: 'result' })), 'drop');
    assert.equal(disposition(xml('presence', {})), 'drop');
    assert.equal(disposition(xml('message', { type: 'chat' }, xml('received', { xmlns: 'urn:xmpp:carbons:2' }))), 'drop');
    assert.equal(disposition(xml('message', {}, xml('result', { xmlns: 'urn:xmpp:mam:2', queryid: 'q' }))), 'drop');
  });

  test('a delay stamp with the first delivery time is added once, on a copy', () => {
    const m = xml('message', { type: 'chat' }, xml('body', {}, 'hi'));
    const at = Date.UTC(2024, 0, 2, 3, 4, 5, 6);
    const copy = withOriginalDelay(m, 'example.com', at);
    assert.equal(m.getChild('delay', 'urn:xmpp:delay'), undefined, 'the original is untouched');
    const delay = copy.getChild('delay', 'urn:xmpp:delay')!;
    assert.equal(delay.attrs.from, 'example.com');
    assert.equal(delay.attrs.stamp, '2024-01-02T03:04:05.006Z');
    assert.equal(withOriginalDelay(copy, 'example.com', at + 1000).getChildren('delay', 'urn:xmpp:delay').length, 1);
  });
});
