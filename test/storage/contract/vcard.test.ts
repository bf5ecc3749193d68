// VcardStore contract (XEP-0054 / XEP-0153): one vCard per account, its photo hash beside it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contract, withStorage } from './drivers.ts';

const card = (fn: string, photoHash: string | null, updatedAt = 1_700_000_000_000) => ({ vcard: `<vCard xmlns="vcard-temp"><FN>${fn}</FN></vCard>`, photoHash, updatedAt });

contract('vcard store', (open) => {
  test('no vCard: get is null and photoHash is undefined; a vCard without photo has photoHash null', () =>
    withStorage(open, async (s) => {
      assert.equal(await s.vcard.get('u', 'd'), null);
      assert.equal(await s.vcard.photoHash('u', 'd'), undefined);
      await s.vcard.set('u', 'd', card('Juliet', null));
      assert.deepEqual(await s.vcard.get('u', 'd'), card('Juliet', null));
      assert.equal(await s.vcard.photoHash('u', 'd'), null);
    }));

  test('set replaces, null deletes, accounts are separate; deleteUser removes it', () =>
    withStorage(open, async (s) => {
      await s.vcard.set('u', 'd', card('A', null));
      await s.vcard.set('u', 'd', card('B', 'a9993e364706816aba3e25717850c26c9cd0d89d', 1_800_000_000_000));
      await s.vcard.set('v', 'd', card('V', null));
      assert.deepEqual(await s.vcard.get('u', 'd'), card('B', 'a9993e364706816aba3e25717850c26c9cd0d89d', 1_800_000_000_000));
      assert.equal(await s.vcard.photoHash('u', 'd'), 'a9993e364706816aba3e25717850c26c9cd0d89d');
      await s.vcard.set('u', 'd', null);
      assert.equal(await s.vcard.get('u', 'd'), null);
      assert.deepEqual(await s.vcard.get('v', 'd'), card('V', null));
      await s.deleteUser('v', 'd');
      assert.equal(await s.vcard.photoHash('v', 'd'), undefined);
    }));
});
