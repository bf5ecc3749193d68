// The cluster's copy of other nodes' sessions (src/cluster/directory.ts) seen through the router's
// session table: remote sessions take part in lookups (RFC 6121 §8.5 priorities, presence, flags),
// their send() goes to their node, local sessions win over a remote one with the same full JID,
// and a dead node's sessions disappear at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJid, type Jid } from '../../src/jid/index.ts';
import { RemoteDirectory } from '../../src/cluster/directory.ts';
import type { SessionRecord } from '../../src/cluster/records.ts';
import { highestPriority } from '../../src/router/delivery.ts';
import type { LocalSession } from '../../src/router/session.ts';
import { SessionTable } from '../../src/router/sessions.ts';
import { xml, type Element } from '../../src/xml/element.ts';

const rec = (o: Partial<SessionRecord> = {}): SessionRecord => ({ presence: '<presence><priority>0</priority></presence>', priority: 0, interested: true, connected: true, flags: [], directed: [], ...o });

function setup() {
  const sent: Array<{ node: string; to: string; stanza: string }> = [];
  const closed: string[] = [];
  const dir = new RemoteDirectory('self', {
    send: (node, to, stanza) => sent.push({ node, to: to.toString(), stanza: stanza.toString() }),
    close: (node, to, condition) => closed.push(`${node} ${to.toString()} ${condition}`),
  });
  const table = new SessionTable();
  table.setRemote(dir);
  return { dir, table, sent, closed };
}

function localSession(jid: Jid, priority = 0): LocalSession {
  return { id: 'l1', jid, presence: xml('presence'), priority, interested: false, features: new Map(), secure: true, connected: true, send: () => {}, close: () => {} };
}

test('remote sessions are found by full and bare JID, with their presence, priority and flags', () => {
  const { dir, table, sent } = setup();
  dir.apply('b', 'ann@x/phone', rec({ priority: 5, presence: '<presence><priority>5</priority></presence>', flags: ['carbons'] }));
  dir.apply('c', 'ann@x/desk', rec({ priority: 1 }));
  const phone = table.get(parseJid('ann@x/phone'))!;
  assert.equal(phone.priority, 5);
  assert.equal(phone.features.get('carbons'), true);
  assert.equal((phone.presence as Element).getChildText('priority'), '5');
  assert.deepEqual(table.resources(parseJid('ann@x')).map((s) => s.jid.toString()), ['ann@x/phone', 'ann@x/desk']);
  assert.deepEqual(highestPriority(table.resources(parseJid('ann@x'))).map((s) => s.jid.toString()), ['ann@x/phone']);
  phone.send(xml('message', { to: 'ann@x/phone' }));
  assert.deepEqual(sent, [{ node: 'b', to: 'ann@x/phone', stanza: '<message to="ann@x/phone"/>' }]);
  assert.equal(table.size, 0, 'size counts this node\'s sessions only');
  assert.deepEqual([...table.all()], []);
});

test('an unavailable remote session is not available; updates and removals apply', () => {
  const { dir, table } = setup();
  dir.apply('b', 'bob@x/a', rec({ presence: null }));
  assert.equal(table.available(parseJid('bob@x')).length, 0);
  dir.apply('b', 'bob@x/a', rec());
  assert.equal(table.available(parseJid('bob@x')).length, 1);
  dir.apply('b', 'bob@x/a', null);
  assert.equal(table.get(parseJid('bob@x/a')), undefined);
  assert.deepEqual(table.resources(parseJid('bob@x')), []);
});

test('a local session wins over a remote one with the same full JID', () => {
  const { dir, table } = setup();
  dir.apply('b', 'cid@x/r', rec());
  const mine = localSession(parseJid('cid@x/r'));
  table.add(mine);
  assert.equal(table.get(parseJid('cid@x/r')), mine);
  assert.deepEqual(table.resources(parseJid('cid@x')), [mine]);
  assert.equal(table.getLocal(parseJid('cid@x/r')), mine);
});

test('this node\'s own records are ignored; a dead node\'s sessions go at once', () => {
  const { dir, table } = setup();
  dir.apply('self', 'dee@x/r', rec());
  assert.equal(table.get(parseJid('dee@x/r')), undefined);
  dir.apply('b', 'dee@x/1', rec());
  dir.apply('b', 'eve@x/1', rec());
  dir.apply('c', 'dee@x/2', rec());
  assert.deepEqual(dir.dropNode('b').map((s) => s.jid.toString()).sort(), ['dee@x/1', 'eve@x/1']);
  assert.deepEqual(table.resources(parseJid('dee@x')).map((s) => s.jid.toString()), ['dee@x/2']);
  assert.equal(dir.count('b'), 0);
});

test('a full read replaces what was known of a node', () => {
  const { dir, table } = setup();
  dir.apply('b', 'fay@x/old', rec());
  dir.load('b', { 'fay@x/new': JSON.stringify(rec({ priority: 3 })), 'bad@x/r': '{not json' });
  assert.deepEqual(table.resources(parseJid('fay@x')).map((s) => `${s.jid.resource}:${s.priority}`), ['new:3']);
  assert.equal(table.get(parseJid('bad@x/r')), undefined);
});

test('closing a remote session asks its node', () => {
  const { dir, table, closed } = setup();
  dir.apply('c', 'gus@x/r', rec());
  table.get(parseJid('gus@x/r'))!.close('conflict');
  assert.deepEqual(closed, ['c gus@x/r conflict']);
});
