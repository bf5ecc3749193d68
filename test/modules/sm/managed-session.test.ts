// Stream management on one session, against a fake session: the bounded queue (connected:
// resource-constraint; hibernating: the session ends so its queue is handed on), hibernation
// with its timeout, and resending after resumption.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManagedSession } from '../../../src/modules/sm/managed-session.ts';
import type { ClientSession, OutboundStage, SessionKeeper } from '../../../src/router/session.ts';
import { xml, type Element } from '../../../src/xml/element.ts';

function fakeSession() {
  let stage: OutboundStage | null = null;
  const log: string[] = [];
  const wire: Element[] = [];
  const s = {
    kind: 'client',
    connected: true,
    keeper: null as SessionKeeper | null,
    features: new Map(),
    addOutboundStage(st: OutboundStage) {
      stage = st;
      return () => (stage = null);
    },
    onInbound() {
      return () => {};
    },
    setKeeper(k: SessionKeeper | null) {
      s.keeper = k;
    },
    writeRaw(el: Element) {
      if (!s.connected) return false;
      wire.push(el);
      return true;
    },
    send(el: Element) {
      stage!(el, (e) => void (s.connected && wire.push(e)));
    },
    close(condition?: string) {
      log.push(`close ${condition}`);
    },
    end(reason: string) {
      log.push(`end ${reason}`);
    },
  };
  return { session: s as unknown as ClientSession & typeof s, log, wire };
}

const settings = { maxQueue: 3, ackRequestEvery: 100, ackRequestIntervalMs: 0 };
const msg = (id: string) => xml('message', { id });

describe('ManagedSession', () => {
  test('a full queue closes a connected stream with resource-constraint, keeping the stanza for handing on', () => {
    const { session, log } = fakeSession();
    const ms = new ManagedSession(session, 'id1', 1000, settings, () => {});
    ms.start();
    for (const id of ['a', 'b', 'c']) session.send(msg(id));
    assert.deepEqual(log, []);
    session.send(msg('d'));
    assert.deepEqual(log, ['close resource-constraint']);
    assert.deepEqual(ms.queue.unacked.map((u) => u.stanza.attrs.id), ['a', 'b', 'c', 'd']);
    ms.stop();
  });

  test('hibernating: stanzas queue up; a full queue ends the session; resumption resends in order', () => {
    const { session, log, wire } = fakeSession();
    let hibernations = 0;
    const ms = new ManagedSession(session, 'id2', 60_000, settings, () => hibernations++);
    ms.start();
    session.send(msg('a'));
    session.connected = false;
    assert.equal(session.keeper!.connectionLost('gone'), true);
    assert.equal(ms.hibernating, true);
    assert.equal(hibernations, 1);
    session.send(msg('b'));
    assert.deepEqual(wire.map((e) => e.attrs.id), ['a'], 'nothing reaches the wire while hibernating');

    session.connected = true;
    assert.equal(ms.queue.ack(1).ok, true);
    ms.resumed();
    assert.equal(ms.hibernating, false);
    assert.deepEqual(wire.map((e) => e.name === 'r' ? 'r' : e.attrs.id), ['a', 'b', 'r'], 'b resent, then an ack request');

    session.connected = false;
    session.keeper!.connectionLost('gone again');
    for (const id of ['c', 'd', 'e']) session.send(msg(id));
    assert.deepEqual(log, ['end stream management queue full while hibernating']);
    ms.stop();
  });

  test('without resumption the connection loss is not kept; with it, the session ends after the timeout', async () => {
    const plain = fakeSession();
    const noResume = new ManagedSession(plain.session, null, 1000, settings, () => {});
    noResume.start();
    assert.equal(plain.session.keeper, null);
    noResume.stop();

    const { session, log } = fakeSession();
    const ms = new ManagedSession(session, 'id3', 50, settings, () => {});
    ms.start();
    session.connected = false;
    session.keeper!.connectionLost('gone');
    await new Promise((r) => setTimeout(r, 120));
    assert.deepEqual(log, ['end stream management resumption timed out']);
    ms.stop();
  });
});
