// Storage-wide contract: deleteUser removes an account and everything every store holds for it
// (and nothing of anyone else's); both drivers keep the same per-store migration history.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Storage } from '../../../src/storage/types.ts';
import { sqliteMigrations } from '../../../src/storage/sqlite/index.ts';
import { postgresMigrations } from '../../../src/storage/postgres/index.ts';
import { contract, withStorage } from './drivers.ts';

const D = 'capulet.lit';

async function populate(s: Storage, u: string): Promise<void> {
  await s.accounts.create({ username: u, domain: D, credentials: {}, createdAt: 1 });
  await s.kv.set(u, D, 'private', 'k', '<x/>');
  await s.offline.append(u, D, '<message/>', 1, { maxMessages: 10, maxBytes: 10_000 });
  await s.blocklist.add(u, D, ['spam@x']);
  await s.vcard.set(u, D, { vcard: '<vCard xmlns="vcard-temp"/>', photoHash: null, updatedAt: 1 });
  await s.archive.append([{ owner: { username: u, domain: D }, with: 'a@b', direction: 'in', stanza: '<message/>' }]);
  await s.pep.createNode(u, D, 'n', {});
  await s.pep.publish(u, D, 'n', { id: 'i', payload: '<p/>', publisher: `${u}@${D}/r`, publishedAt: 1 }, 10);
  await s.pep.setAffiliation(u, D, 'n', 'a@b', 'member');
  await s.roster.update(u, D, 'a@b', { item: { jid: 'a@b', subscription: 'both', ask: false, approved: false, groups: [] }, pendingIn: '<presence/>' });
  await s.muc.saveRoom({ jid: `room-${u}@chat.x`, service: 'chat.x', createdSeq: u === 'juliet' ? 1 : 2, config: '{}', subject: null, secret: 's', nextSeq: 2 }, [{ jid: `${u}@${D}`, affiliation: 'owner', nick: null, seq: 1 }]);
  await s.files.createSlot({ id: `slot-${u}`, username: u, domain: D, name: 'f', size: 1, type: 't', purpose: 'message', createdAt: 1, putDeadline: 2, expiresAt: null, state: 'ready', sha256: null, verdict: 'clean', storedAt: 1 });
  await s.files.createGrant({ token: `tok-${u}`, username: u, domain: D, sender: 'a@b', messageId: null, name: 'f', type: 't', size: 1, sha256: 'x', source: 's', createdAt: 1, expiresAt: 2 });
}

async function holdings(s: Storage, u: string) {
  return {
    account: (await s.accounts.get(u, D)) !== null,
    kv: await s.kv.keys(u, D, 'private'),
    offline: await s.offline.count(u, D),
    blocklist: await s.blocklist.list(u, D),
    vcard: (await s.vcard.get(u, D)) !== null,
    archive: (await s.archive.query({ username: u, domain: D }, { limit: 10 })).items.length,
    pepNodes: await s.pep.countNodes(u, D),
    pepItems: (await s.pep.items(u, D, 'n')).length,
    pepAffs: (await s.pep.affiliations(u, D, 'n')).length,
    roster: await s.roster.count(u, D),
    rosterVersion: await s.roster.version(u, D),
    pending: (await s.roster.pending(u, D)).length,
    mucAffs: (await s.muc.rooms('chat.x')).flatMap((r) => r.affiliations).filter((a) => a.jid === `${u}@${D}`).length,
    slot: (await s.files.getSlot(`slot-${u}`)) !== null,
    grant: (await s.files.getGrant(`tok-${u}`)) !== null,
  };
}

contract('storage', (open) => {
  test('deleteUser removes the account and everything every store holds for it, nothing of others', () =>
    withStorage(open, async (s) => {
      await populate(s, 'juliet');
      await populate(s, 'romeo');
      const full = await holdings(s, 'romeo');
      assert.ok(Object.values(full).every((v) => v === true || (typeof v === 'number' && v > 0) || (Array.isArray(v) && v.length > 0)), JSON.stringify(full));
      assert.equal(await s.deleteUser('juliet', D), true);
      assert.deepEqual(await holdings(s, 'juliet'), {
        account: false, kv: [], offline: 0, blocklist: [], vcard: false, archive: 0, pepNodes: 0, pepItems: 0, pepAffs: 0,
        roster: 0, rosterVersion: 0, pending: 0, mucAffs: 0, slot: false, grant: false,
      });
      assert.deepEqual(await holdings(s, 'romeo'), full);
      assert.equal(await s.deleteUser('juliet', D), false, 'no account any more');
    }));
});

test('both drivers have the same migrations (store, id, name) in the same order', () => {
  const history = (ms: typeof sqliteMigrations) => ms.map((m) => `${m.store}#${m.id} ${m.name}`);
  assert.deepEqual(history(postgresMigrations), history(sqliteMigrations));
});
