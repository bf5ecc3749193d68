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
});
