// RegistrationStore contract (XEP-0077): quarantined usernames until a date; expired is free.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contract, withStorage } from './drivers.ts';

contract('registration quarantine store', (open) => {
  test('a quarantined name is held until its date (exclusive); release frees it', () =>
    withStorage(open, async (s) => {
      assert.equal(await s.registrations.quarantinedUntil('u', 'd', 1000), null);
      await s.registrations.quarantine('u', 'd', 5000);
      assert.equal(await s.registrations.quarantinedUntil('u', 'd', 1000), 5000);
      assert.equal(await s.registrations.quarantinedUntil('u', 'd', 4999), 5000);
      assert.equal(await s.registrations.quarantinedUntil('u', 'd', 5000), null, 'expired counts as free');
      assert.equal(await s.registrations.quarantinedUntil('u', 'other', 1000), null);
      await s.registrations.quarantine('u', 'd', 9000); // replaces
      assert.equal(await s.registrations.quarantinedUntil('u', 'd', 6000), 9000);
      await s.registrations.release('u', 'd');
      assert.equal(await s.registrations.quarantinedUntil('u', 'd', 1000), null);
    }));

  test('expire drops entries whose date has come and counts them; it outlives account deletion', () =>
    withStorage(open, async (s) => {
      await s.registrations.quarantine('a', 'd', 100);
      await s.registrations.quarantine('b', 'd', 200);
      await s.registrations.quarantine('c', 'd', 300);
      assert.equal(await s.registrations.expire(200), 2);
      assert.equal(await s.registrations.expire(200), 0);
      assert.equal(await s.registrations.quarantinedUntil('c', 'd', 0), 300);
      await s.deleteUser('c', 'd');
      assert.equal(await s.registrations.quarantinedUntil('c', 'd', 0), 300, 'the quarantine protects a deleted name');
    }));

  test('invitations: used up to their count, only before they expire, only on their domain; expire sweeps them', () =>
    withStorage(open, async (s) => {
      await s.registrations.createInvite({ token: 't1', domain: 'd', uses: 2, expires: 5000, createdBy: 'admin@d' });
      assert.equal(await s.registrations.useInvite('t1', 'other', 1000), false, 'another domain');
      assert.equal(await s.registrations.useInvite('nope', 'd', 1000), false);
      assert.equal(await s.registrations.useInvite('t1', 'd', 1000), true);
      assert.equal(await s.registrations.useInvite('t1', 'd', 1000), true);
      assert.equal(await s.registrations.useInvite('t1', 'd', 1000), false, 'used up');
      await s.registrations.createInvite({ token: 't2', domain: 'd', uses: 1, expires: 5000, createdBy: 'admin@d' });
      assert.equal(await s.registrations.useInvite('t2', 'd', 5000), false, 'expired');
      await s.registrations.createInvite({ token: 't3', domain: 'd', uses: 1, expires: 9000, createdBy: 'admin@d' });
      assert.equal(await s.registrations.expire(6000), 2, 't1 used up and t2 expired are swept');
      assert.equal(await s.registrations.useInvite('t3', 'd', 6000), true);
    }));
});
