// In-memory bookkeeping of the presence layer: directed presence per session (RFC 6121 §4.6),
// remote resources known online (bounded), and the per-account lock.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJid } from '../../../src/jid/index.ts';
import type { LocalSession } from '../../../src/router/session.ts';
import { addDirected, directedRecipients, hasDirectedTo, MAX_DIRECTED_PER_SESSION, removeDirected, takeDirected } from '../../../src/modules/roster/directed.ts';
import { RemoteOnline } from '../../../src/modules/roster/remote-online.ts';
import { KeyedLock } from '../../../src/modules/roster/keyed-lock.ts';

const session = () => ({ features: new Map<string, unknown>() }) as unknown as LocalSession;
const j = parseJid;

describe('directed presence bookkeeping (RFC 6121 §4.6)', () => {
  test('added, matched by full or bare JID, removed by unavailable, taken once', () => {
    const s = session();
    addDirected(s, j('carol@x/phone'));
    addDirected(s, j('room@muc.x'));
    assert.equal(hasDirectedTo(s, j('carol@x/phone')), true);
    assert.equal(hasDirectedTo(s, j('carol@x/desk')), false);
    assert.equal(hasDirectedTo(s, j('room@muc.x/nick')), true, 'a probe from a full JID of a bare recipient');
    removeDirected(s, j('room@muc.x'));
    assert.deepEqual(directedRecipients(s).map(String), ['carol@x/phone']);
    assert.deepEqual(takeDirected(s).map(String), ['carol@x/phone']);
    assert.deepEqual(takeDirected(s), []);
  });
  test('an error from a bare JID ends directed presence to its resources', () => {
    const s = session();
    addDirected(s, j('carol@x/phone'));
    addDirected(s, j('dave@x/a'));
    removeDirected(s, j('carol@x'));
    assert.deepEqual(directedRecipients(s).map(String), ['dave@x/a']);
  });
  test('bounded per session: the oldest is forgotten first', () => {
    const s = session();
    for (let i = 0; i <= MAX_DIRECTED_PER_SESSION; i++) addDirected(s, j(`u${i}@x`));
    const list = directedRecipients(s);
    assert.equal(list.length, MAX_DIRECTED_PER_SESSION);
    assert.equal(String(list[0]), 'u1@x');
  });
});

describe('remote resources online', () => {
  test('available adds, unavailable removes, bounds hold', () => {
    const r = new RemoteOnline(2, 2);
    r.observe(j('a@r/1'), true);
    r.observe(j('a@r/2'), true);
    r.observe(j('a@r/3'), true);
    assert.deepEqual(r.resources(j('a@r')).map(String), ['a@r/2', 'a@r/3']);
    r.observe(j('a@r/2'), false);
    assert.deepEqual(r.resources(j('a@r/9')).map(String), ['a@r/3']);
    r.observe(j('b@r/1'), true);
    r.observe(j('c@s/1'), true); // a@r was added first
    assert.equal(r.size, 2);
    assert.deepEqual(r.resources(j('a@r')), []);
    r.forgetDomain('s');
    assert.deepEqual(r.resources(j('c@s')), []);
    r.observe(j('b@r'), true); // bare JIDs are no resources
    assert.deepEqual(r.resources(j('b@r')).map(String), ['b@r/1']);
  });
});

describe('per-account lock', () => {
  test('sections for one key run one at a time in order; other keys do not wait; a failure does not block', async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    const slow = (tag: string, ms: number) => async () => {
      log.push(`${tag}+`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`${tag}-`);
      return tag;
    };
    const a1 = lock.run('a', slow('a1', 30));
    const a2 = lock.run('a', async () => {
      throw new Error('boom');
    });
    const a3 = lock.run('a', slow('a3', 1));
    const b1 = lock.run('b', slow('b1', 1));
    assert.equal(await b1, 'b1');
    await assert.rejects(a2, /boom/);
    assert.deepEqual(await Promise.all([a1, a3]), ['a1', 'a3']);
    assert.deepEqual(log, ['a1+', 'b1+', 'b1-', 'a1-', 'a3+', 'a3-']);
    await new Promise((r) => setImmediate(r));
    assert.equal(lock.size, 0);
  });
});
