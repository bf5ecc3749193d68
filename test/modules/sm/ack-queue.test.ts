// XEP-0198 §4 counters: h counts handled stanzas from zero, wraps from 2^32-1 to 0, and an ack
// for more than was sent is refused (§5 handled-count-too-high).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AckQueue, SEQ_MOD, parseH, seqAdd, seqDiff } from '../../../src/modules/sm/ack-queue.ts';
import { xml } from '../../../src/xml/element.ts';

const msg = (id: string) => xml('message', { id });

describe('XEP-0198 ack queue', () => {
  test('counts from zero; an ack drops exactly the stanzas it covers', () => {
    const q = new AckQueue();
    for (const id of ['a', 'b', 'c']) q.push(msg(id));
    assert.equal(q.sent, 3);
    assert.deepEqual(q.ack(2), { ok: true, acked: 2 });
    assert.deepEqual(q.unacked.map((u) => u.stanza.attrs.id), ['c']);
    assert.deepEqual(q.ack(2), { ok: true, acked: 0 }, 'the same h again acknowledges nothing new');
    assert.deepEqual(q.ack(3), { ok: true, acked: 1 });
    assert.equal(q.unacked.length, 0);
  });

  test('§5: an h beyond what was sent is refused and leaves the queue alone', () => {
    const q = new AckQueue();
    q.push(msg('a'));
    assert.deepEqual(q.ack(5), { ok: false, h: 5, sent: 1 });
    assert.equal(q.unacked.length, 1);
    assert.equal(q.acked, 0);
  });

  test('§4: both counters wrap from 2^32-1 to 0', () => {
    const q = new AckQueue({ inbound: SEQ_MOD - 1, sent: SEQ_MOD - 2 });
    q.countInbound();
    assert.equal(q.inbound, 0);
    for (const id of ['a', 'b', 'c']) q.push(msg(id));
    assert.equal(q.sent, 1, '2^32-2 + 3 wraps to 1');
    assert.deepEqual(q.ack(SEQ_MOD - 1), { ok: true, acked: 1 });
    assert.deepEqual(q.ack(0), { ok: true, acked: 1 }, 'h=0 after the wrap acknowledges the stanza numbered 2^32');
    assert.deepEqual(q.ack(1), { ok: true, acked: 1 });
    assert.deepEqual(q.ack(2), { ok: false, h: 2, sent: 1 });
  });

  test('property: sent = acked + unacked (mod 2^32) whatever the pushes and valid acks', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: SEQ_MOD - 1 }), fc.array(fc.oneof(fc.constant(-1), fc.nat(5)), { maxLength: 60 }), (start, ops) => {
        const q = new AckQueue({ sent: start });
        for (const op of ops) {
          if (op < 0) q.push(msg('x'));
          else {
            const n = Math.min(op, q.unacked.length);
            assert.equal(q.ack(seqAdd(q.acked, n)).ok, true);
          }
          assert.equal(seqDiff(q.sent, q.acked), q.unacked.length);
        }
      }),
    );
  });

  test("'h' is an xs:unsignedInt", () => {
    assert.equal(parseH('0'), 0);
    assert.equal(parseH('4294967295'), 4294967295);
    for (const bad of [undefined, '', '-1', '4294967296', '1.5', ' 1', '0x10', '99999999999']) assert.equal(parseH(bad), null, String(bad));
  });
});
