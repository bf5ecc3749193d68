// Upload lifetimes with a fake clock, over the real SQLite store and files on disk: expiry is
// checked per request (an ephemeral file is gone one second after expire-before even with no
// sweeper), the sweeper deletes expired files and abandoned slots and frees the quota, and
// account deletion queues the files for removal through the trash trigger.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pino } from 'pino';
import { createSqliteStorage } from '../../../src/storage/sqlite/index.ts';
import type { Storage, UploadSlot } from '../../../src/storage/types.ts';
import { UploadDisk } from '../../../src/modules/upload/disk.ts';
import { sweep, type SweepDeps } from '../../../src/modules/upload/sweeper.ts';
import { isServable } from '../../../src/modules/upload/servable.ts';

const DAY = 86_400_000;
const T0 = Date.parse('2026-01-01T00:00:00Z');

describe('upload expiry and cleanup', () => {
  let dir: string;
  let storage: Storage;
  let disk: UploadDisk;
  let clock = T0;
  let deps: SweepDeps;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-upload-expiry-'));
    storage = createSqliteStorage(join(dir, 'db.sqlite'));
    disk = new UploadDisk(dir);
    deps = {
      store: storage.files, disk, scanner: null, batch: 100, tombstoneMs: 7 * DAY, logRetentionMs: 90 * DAY, quarantineMs: 90 * DAY,
      now: () => clock, log: pino({ level: 'silent' }), quarantinePath: () => null, onInfected: async () => undefined,
    };
  });
  after(async () => {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const slot = (id: string, over: Partial<UploadSlot>): UploadSlot => ({
    id, username: 'alice', domain: 'localhost', name: `${id}.bin`, size: 100, type: 'application/octet-stream', purpose: 'message',
    createdAt: clock, putDeadline: clock + 300_000, expiresAt: clock + 30 * DAY, state: 'ready', sha256: 'ab'.repeat(32), verdict: 'clean', storedAt: clock, ...over,
  });
  const stored = async (s: UploadSlot) => {
    await storage.files.createSlot(s);
    const p = s.state === 'ready' ? disk.file(s.id) : disk.tmp(s.id);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, Buffer.alloc(s.size));
    return p;
  };

  test('a message file is served until 30 days, then not; the sweeper deletes it and frees the quota', async () => {
    clock = T0;
    const s = slot('AAAAAAAAAAAAAAAAAAAAAA', {});
    const path = await stored(s);
    assert.equal((await storage.files.usage('alice', 'localhost', ['message', 'ephemeral'], clock)).bytes, 100);
    assert.equal(isServable(s, T0 + 30 * DAY - 1), true);
    assert.equal(isServable(s, T0 + 30 * DAY), false);
    clock = T0 + 30 * DAY + 1;
    assert.equal((await storage.files.usage('alice', 'localhost', ['message', 'ephemeral'], clock)).bytes, 0, 'expired files do not count');
    const r = await sweep(deps);
    assert.equal(r.expired, 1);
    assert.equal(existsSync(path), false);
    assert.equal((await storage.files.getSlot(s.id))?.state, 'expired', 'kept as a tombstone');
  });

  test('an ephemeral file is not served one second after expire-before, with no sweeper run', () => {
    const expireBefore = T0 + 3600_000;
    const s = slot('BAAAAAAAAAAAAAAAAAAAAA', { purpose: 'ephemeral', expiresAt: expireBefore });
    assert.equal(isServable(s, expireBefore - 1000), true);
    assert.equal(isServable(s, expireBefore + 1000), false);
  });

  test('an open slot reserves quota until its PUT deadline; then the sweeper drops its .part', async () => {
    clock = T0 + 40 * DAY;
    const s = slot('CAAAAAAAAAAAAAAAAAAAAA', { state: 'pending', sha256: null, verdict: null, storedAt: null });
    const part = await stored(s);
    const u = await storage.files.usage('alice', 'localhost', ['message', 'ephemeral'], clock);
    assert.deepEqual(u, { bytes: 100, nextRelease: s.putDeadline });
    clock = s.putDeadline + 1;
    await sweep(deps);
    assert.equal(existsSync(part), false);
    assert.equal((await storage.files.getSlot(s.id))?.state, 'expired');
  });

  test('tombstones go after 7 days; deleting an account queues its files for the next sweep', async () => {
    clock = T0 + 50 * DAY;
    await sweep(deps);
    assert.equal(await storage.files.getSlot('AAAAAAAAAAAAAAAAAAAAAA'), null, 'tombstone purged');
    const s = slot('DAAAAAAAAAAAAAAAAAAAAA', {});
    const path = await stored(s);
    await storage.deleteUser('alice', 'localhost');
    assert.equal(await storage.files.getSlot(s.id), null);
    assert.equal(existsSync(path), true, 'the file waits for the sweeper');
    const r = await sweep(deps);
    assert.ok(r.trashed >= 1);
    assert.equal(existsSync(path), false);
  });
});
