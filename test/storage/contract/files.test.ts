// FilesStore contract (XEP-0363 upload slots, pulled files, quarantine, logs): atomic slot state
// transitions, quota usage, stable lists (creation time, then id; logs and quarantine by id),
// file paths queued for the sweeper whenever a slot row goes, and account deletion.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PullGrant, PulledBlob, UploadSlot } from '../../../src/storage/types.ts';
import { contract, withStorage } from './drivers.ts';

const U = 'juliet';
const D = 'capulet.lit';
const slot = (id: string, extra: Partial<UploadSlot> = {}): UploadSlot => ({
  id,
  username: U,
  domain: D,
  name: `${id}.jpg`,
  size: 100,
  type: 'image/jpeg',
  purpose: 'message',
  createdAt: 1000,
  putDeadline: 2000,
  expiresAt: null,
  state: 'pending',
  sha256: null,
  verdict: null,
  storedAt: null,
  ...extra,
});
const blob = (sha256: string, extra: Partial<PulledBlob> = {}): PulledBlob => ({ sha256, size: 10, type: 'text/plain', state: 'clean', signature: null, createdAt: 1000, ...extra });
const grant = (token: string, sha256: string, extra: Partial<PullGrant> = {}): PullGrant => ({
  token,
  username: U,
  domain: D,
  sender: 'romeo@montague.lit',
  messageId: 'm1',
  name: 'f.txt',
  type: 'text/plain',
  size: 10,
  sha256,
  source: 'https://montague.lit/f.txt',
  createdAt: 1000,
  expiresAt: 5000,
  ...extra,
});
const quarantined = (ref: string, createdAt = 1000) => ({
  kind: 'upload' as const,
  ref,
  username: U,
  domain: D,
  sender: null,
  messageId: null,
  name: 'eicar.com',
  type: 'application/octet-stream',
  size: 68,
  signature: 'Eicar-Test-Signature',
  source: null,
  createdAt,
});

contract('files store', (open) => {
  describe('upload slots', () => {
    test('a slot round-trips; transitions are compare-and-set on the state and may set fields', () =>
      withStorage(open, async (s) => {
        await s.files.createSlot(slot('AAAA'));
        assert.deepEqual(await s.files.getSlot('AAAA'), slot('AAAA'));
        assert.equal(await s.files.getSlot('missing'), null);
        assert.equal(await s.files.transitionSlot('AAAA', ['ready'], 'expired'), false);
        assert.equal(await s.files.transitionSlot('AAAA', ['pending'], 'uploading'), true);
        assert.equal(await s.files.transitionSlot('AAAA', ['pending'], 'uploading'), false);
        assert.equal(await s.files.transitionSlot('AAAA', ['pending', 'uploading'], 'ready', { sha256: 'ab'.repeat(32), verdict: 'clean', storedAt: 1500, expiresAt: 9000 }), true);
        assert.deepEqual(await s.files.getSlot('AAAA'), slot('AAAA', { state: 'ready', sha256: 'ab'.repeat(32), verdict: 'clean', storedAt: 1500, expiresAt: 9000 }));
        assert.equal(await s.files.transitionSlot('missing', ['pending'], 'uploading'), false);
      }));

    test('of racing transitions from one state exactly one wins', () =>
      withStorage(open, async (s) => {
        await s.files.createSlot(slot('RACE'));
        const wins = await Promise.all(Array.from({ length: 8 }, () => s.files.transitionSlot('RACE', ['pending'], 'uploading')));
        assert.equal(wins.filter(Boolean).length, 1);
      }));

    test('usage counts ready files not yet expired and open slots before their deadline, per purpose', () =>
      withStorage(open, async (s) => {
        const now = 3000;
        await s.files.createSlot(slot('r1', { state: 'ready', size: 10, expiresAt: 8000 }));
        await s.files.createSlot(slot('r2', { state: 'ready', size: 20, expiresAt: null }));
        await s.files.createSlot(slot('r3', { state: 'ready', size: 40, expiresAt: 2999 })); // expired
        await s.files.createSlot(slot('p1', { state: 'pending', size: 80, putDeadline: 6000 }));
        await s.files.createSlot(slot('p2', { state: 'uploading', size: 160, putDeadline: 3000 })); // past its deadline
        await s.files.createSlot(slot('x1', { state: 'rejected', size: 320 }));
        await s.files.createSlot(slot('pr', { state: 'ready', size: 640, purpose: 'profile', expiresAt: 4000 }));
        await s.files.createSlot(slot('o1', { state: 'ready', size: 1280, username: 'romeo' }));
        assert.deepEqual(await s.files.usage(U, D, ['message'], now), { bytes: 110, nextRelease: 6000 });
        assert.deepEqual(await s.files.usage(U, D, ['message', 'profile'], now), { bytes: 750, nextRelease: 4000 });
        assert.deepEqual(await s.files.usage(U, D, ['ephemeral'], now), { bytes: 0, nextRelease: null });
      }));

    test('per-user lists: times since, oldest ready, ready slots, in creation order then id', () =>
      withStorage(open, async (s) => {
        await s.files.createSlot(slot('b', { state: 'ready', createdAt: 300 }));
        await s.files.createSlot(slot('a', { state: 'ready', createdAt: 300 }));
        await s.files.createSlot(slot('c', { state: 'ready', createdAt: 100 }));
        await s.files.createSlot(slot('d', { state: 'pending', createdAt: 200 }));
        await s.files.createSlot(slot('e', { state: 'ready', createdAt: 50, purpose: 'profile' }));
        await s.files.createSlot(slot('f', { state: 'ready', createdAt: 10, username: 'romeo' }));
        assert.deepEqual(await s.files.slotTimesSince(U, D, 99), [100, 200, 300, 300]);
        assert.deepEqual(await s.files.slotTimesSince(U, D, 100), [200, 300, 300], 'since is exclusive');
        assert.deepEqual((await s.files.oldestReady(U, D, ['message'], 2)).map((x) => x.id), ['c', 'a']);
        assert.deepEqual((await s.files.slotsOf(U, D, ['message', 'profile'])).map((x) => x.id), ['e', 'c', 'a', 'b']);
      }));

    test('due slots (expired ready, open past deadline) and unscanned ready slots, oldest first, bounded', () =>
      withStorage(open, async (s) => {
        await s.files.createSlot(slot('r-due', { state: 'ready', expiresAt: 500, createdAt: 40 }));
        await s.files.createSlot(slot('r-live', { state: 'ready', expiresAt: 5000, createdAt: 10 }));
        await s.files.createSlot(slot('r-keep', { state: 'ready', expiresAt: null, createdAt: 5, verdict: 'unscanned' }));
        await s.files.createSlot(slot('p-due', { state: 'pending', putDeadline: 900, createdAt: 30 }));
        await s.files.createSlot(slot('u-due', { state: 'uploading', putDeadline: 1000, createdAt: 20 }));
        await s.files.createSlot(slot('p-live', { state: 'pending', putDeadline: 1001, createdAt: 1 }));
        await s.files.createSlot(slot('x', { state: 'rejected', putDeadline: 1, createdAt: 0 }));
        await s.files.createSlot(slot('r-uns', { state: 'ready', expiresAt: 5000, createdAt: 50, verdict: 'unscanned' }));
        assert.deepEqual((await s.files.dueSlots(1000, 10)).map((x) => x.id), ['u-due', 'p-due', 'r-due']);
        assert.deepEqual((await s.files.dueSlots(1000, 2)).map((x) => x.id), ['u-due', 'p-due']);
        assert.deepEqual((await s.files.unscannedSlots(10)).map((x) => x.id), ['r-keep', 'r-uns']);
      }));

    test('tombstones go once their file went before the cutoff (rejected: once created before it), oldest first', () =>
      withStorage(open, async (s) => {
        // An expired file went at its expiry (or, without one, when it was stored); an abandoned slot at its PUT deadline.
        await s.files.createSlot(slot('AAold', { state: 'expired', createdAt: 10, storedAt: 20, expiresAt: 400 }));
        await s.files.createSlot(slot('BBrej', { state: 'rejected', createdAt: 20 }));
        await s.files.createSlot(slot('EEgone', { state: 'expired', createdAt: 30, putDeadline: 300 }));
        await s.files.createSlot(slot('FFkept', { state: 'expired', createdAt: 40, storedAt: 450, expiresAt: null }));
        await s.files.createSlot(slot('GGlate', { state: 'expired', createdAt: 1, storedAt: 20, expiresAt: 600 }));
        await s.files.createSlot(slot('HHopen', { state: 'expired', createdAt: 2, putDeadline: 501 }));
        await s.files.createSlot(slot('CCnew', { state: 'rejected', createdAt: 900 }));
        await s.files.createSlot(slot('DDrdy', { state: 'ready', createdAt: 5 }));
        assert.equal(await s.files.purgeTombstones(500, 1), 1);
        assert.equal(await s.files.getSlot('AAold'), null, 'the oldest created goes first');
        assert.equal(await s.files.purgeTombstones(500, 10), 3);
        assert.equal(await s.files.purgeTombstones(500, 10), 0);
        assert.deepEqual((await Promise.all(['BBrej', 'EEgone', 'FFkept', 'GGlate', 'HHopen', 'CCnew', 'DDrdy'].map((id) => s.files.getSlot(id)))).map((x) => x?.id ?? null), [null, null, null, 'GGlate', 'HHopen', 'CCnew', 'DDrdy']);
      }));

    test('removing slot rows queues their files for the sweeper; takeTrash hands each path out once', () =>
      withStorage(open, async (s) => {
        await s.files.createSlot(slot('AAold', { state: 'rejected', createdAt: 10 }));
        await s.files.createSlot(slot('BBrej', { state: 'rejected', createdAt: 20 }));
        await s.files.createSlot(slot('CCnew', { state: 'rejected', createdAt: 900 }));
        await s.files.createSlot(slot('DDrdy', { state: 'ready', createdAt: 5 }));
        assert.deepEqual(await s.files.takeTrash(10), []);
        assert.equal(await s.files.purgeTombstones(500, 10), 2);
        assert.deepEqual(await s.files.takeTrash(3), ['upload/files/AA/AAold', 'upload/tmp/AAold.part', 'upload/files/BB/BBrej']);
        assert.deepEqual(await s.files.takeTrash(10), ['upload/tmp/BBrej.part']);
        assert.deepEqual(await s.files.takeTrash(10), []);
        // Account deletion goes the same way.
        await s.deleteUser(U, D);
        assert.deepEqual((await s.files.takeTrash(10)).sort(), ['upload/files/CC/CCnew', 'upload/files/DD/DDrdy', 'upload/tmp/CCnew.part', 'upload/tmp/DDrdy.part']);
      }));
  });

  describe('pulled files', () => {
    test('blobs: put replaces state, signature and type; lists by state in creation order', () =>
      withStorage(open, async (s) => {
        await s.files.putBlob(blob('b2', { createdAt: 200 }));
        await s.files.putBlob(blob('b1', { createdAt: 100 }));
        await s.files.putBlob(blob('b3', { createdAt: 150, state: 'unscanned' }));
        await s.files.putBlob(blob('b2', { createdAt: 999, size: 999, state: 'quarantined', signature: 'Sig', type: 'image/png' }));
        assert.deepEqual(await s.files.getBlob('b2'), blob('b2', { createdAt: 200, state: 'quarantined', signature: 'Sig', type: 'image/png' }));
        assert.equal(await s.files.getBlob('none'), null);
        assert.deepEqual((await s.files.blobsInState('clean', 10)).map((b) => b.sha256), ['b1']);
        assert.deepEqual((await s.files.blobsInState('unscanned', 10)).map((b) => b.sha256), ['b3']);
        await s.files.deleteBlob('b1');
        assert.equal(await s.files.getBlob('b1'), null);
      }));

    test('grants: round-trip, expiry in bounded batches; orphan blobs are those no grant uses and not quarantined', () =>
      withStorage(open, async (s) => {
        await s.files.putBlob(blob('used', { createdAt: 10 }));
        await s.files.putBlob(blob('orphan2', { createdAt: 30 }));
        await s.files.putBlob(blob('orphan1', { createdAt: 20 }));
        await s.files.putBlob(blob('held', { createdAt: 5, state: 'quarantined' }));
        await s.files.putBlob(blob('young', { createdAt: 5000 }));
        await s.files.createGrant(grant('t1', 'used', { expiresAt: 100 }));
        await s.files.createGrant(grant('t2', 'used', { expiresAt: 200, messageId: null }));
        await s.files.createGrant(grant('t3', 'used', { expiresAt: 900 }));
        assert.deepEqual(await s.files.getGrant('t2'), grant('t2', 'used', { expiresAt: 200, messageId: null }));
        assert.equal(await s.files.getGrant('none'), null);
        assert.deepEqual((await s.files.orphanBlobs(1000, 10)).map((b) => b.sha256), ['orphan1', 'orphan2']);
        assert.deepEqual((await s.files.orphanBlobs(1000, 1)).map((b) => b.sha256), ['orphan1']);
        assert.equal(await s.files.deleteExpiredGrants(500, 1), 1);
        assert.equal(await s.files.getGrant('t1'), null, 'the earliest expiry goes first');
        assert.equal(await s.files.deleteExpiredGrants(500, 10), 1);
        assert.equal(await s.files.deleteExpiredGrants(500, 10), 0);
        await s.deleteUser(U, D);
        assert.equal(await s.files.getGrant('t3'), null);
        assert.deepEqual((await s.files.orphanBlobs(1000, 10)).map((b) => b.sha256), ['used', 'orphan1', 'orphan2']);
      }));
  });

  describe('quarantine and logs', () => {
    test('quarantine ids increase; list hides released entries unless asked; release happens once', () =>
      withStorage(open, async (s) => {
        const a = await s.files.quarantine(quarantined('slot-a', 100));
        const b = await s.files.quarantine({ ...quarantined('sha-b', 50), kind: 'pull', sender: 'romeo@montague.lit', messageId: 'm9', source: 'https://x/y' });
        const c = await s.files.quarantine(quarantined('slot-c', 300));
        assert.ok(a < b && b < c);
        assert.deepEqual(await s.files.getQuarantine(b), { ...quarantined('sha-b', 50), kind: 'pull', sender: 'romeo@montague.lit', messageId: 'm9', source: 'https://x/y', id: b, releasedAt: null, releasedBy: null });
        assert.equal(await s.files.markReleased(b, 'admin@capulet.lit', 777), true);
        assert.equal(await s.files.markReleased(b, 'other@capulet.lit', 888), false);
        assert.deepEqual([(await s.files.getQuarantine(b))?.releasedAt, (await s.files.getQuarantine(b))?.releasedBy], [777, 'admin@capulet.lit']);
        assert.deepEqual((await s.files.listQuarantine({ limit: 10 })).map((q) => q.id), [a, c]);
        assert.deepEqual((await s.files.listQuarantine({ limit: 2, includeReleased: true })).map((q) => q.id), [a, b]);
        assert.deepEqual((await s.files.expiredQuarantine(200, 10)).map((q) => q.id), [a, b], 'by id, created before the time given');
        await s.files.deleteQuarantine(a);
        assert.equal(await s.files.getQuarantine(a), null);
        assert.equal(await s.files.getQuarantine(9999), null);
      }));

    test('access and pull logs come back in the order written; purgeLogs drops old rows in bounded batches', () =>
      withStorage(open, async (s) => {
        const access = (time: number, ref: string) => ({ time, kind: 'upload' as const, ref, owner: `${U}@${D}`, ip: '127.0.0.1', userAgent: time % 2 ? 'curl/8' : null, range: time === 3 ? 'bytes=0-9' : null, bytes: 10 * time, status: 200 });
        for (const [t, r] of [[3, 'x'], [1, 'y'], [2, 'x']] as const) await s.files.logAccess(access(t, r));
        assert.deepEqual(await s.files.accessLog({ limit: 10 }), [access(3, 'x'), access(1, 'y'), access(2, 'x')]);
        assert.deepEqual((await s.files.accessLog({ ref: 'x', limit: 10 })).map((e) => e.time), [3, 2]);
        assert.deepEqual((await s.files.accessLog({ limit: 1 })).map((e) => e.time), [3]);
        const pull = (time: number) => ({ time, sender: 'romeo@montague.lit', recipient: `${U}@${D}`, host: 'montague.lit', url: time === 1 ? null : 'https://montague.lit/f', size: time === 1 ? null : 10, sha256: null, hash: time === 2 ? ('verified' as const) : null, verdict: 'clean', signature: null, durationMs: 12, error: time === 1 ? 'refused' : null });
        for (const t of [2, 1, 5]) await s.files.logPull(pull(t));
        assert.deepEqual(await s.files.pullLog(10), [pull(2), pull(1), pull(5)]);
        assert.equal(await s.files.purgeLogs(3, 1), 2, 'one access row and one pull row');
        assert.equal(await s.files.purgeLogs(3, 10), 2);
        assert.equal(await s.files.purgeLogs(3, 10), 0);
        assert.deepEqual((await s.files.accessLog({ limit: 10 })).map((e) => e.time), [3]);
        assert.deepEqual((await s.files.pullLog(10)).map((e) => e.time), [5]);
      }));
  });
});
