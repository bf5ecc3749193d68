// AccountStore contract: create-once, exact lookups, credentials round-trip, and list() ordered by
// username with an exclusive `after` cursor (bytewise order, whatever the database collation).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Account } from '../../../src/storage/types.ts';
import { contract, withStorage } from './drivers.ts';

const creds = (salt: string): Account['credentials'] => ({
  'SHA-256': { hash: 'SHA-256', salt, iterations: 4096, storedKey: 'c3RvcmVk', serverKey: 'c2VydmVy' },
  'SHA-1': { hash: 'SHA-1', salt, iterations: 4096, storedKey: 'b2xk', serverKey: 'b2xkcw==' },
});
const account = (username: string, domain = 'example.org', createdAt = 1_700_000_000_123): Account => ({ username, domain, credentials: creds(`salt-${username}`), createdAt });

contract('account store', (open) => {
  test('create is once per (username, domain); get returns exactly what was stored', () =>
    withStorage(open, async (s) => {
      assert.equal(await s.accounts.create(account('alice')), true);
      assert.equal(await s.accounts.create({ ...account('alice'), credentials: creds('other') }), false);
      assert.deepEqual(await s.accounts.get('alice', 'example.org'), account('alice'));
      assert.equal(await s.accounts.create(account('alice', 'other.org')), true);
      assert.equal(await s.accounts.get('alice', 'nowhere.org'), null);
      assert.equal(await s.accounts.get('Alice', 'example.org'), null, 'lookups are exact: callers normalise');
      assert.equal(await s.accounts.exists('alice', 'example.org'), true);
      assert.equal(await s.accounts.exists('alice', 'nowhere.org'), false);
      assert.equal(await s.accounts.exists('Alice', 'example.org'), false);
    }));

  test('setCredentials replaces them, only for an existing account', () =>
    withStorage(open, async (s) => {
      await s.accounts.create(account('bob'));
      assert.equal(await s.accounts.setCredentials('bob', 'example.org', creds('new')), true);
      assert.deepEqual((await s.accounts.get('bob', 'example.org'))?.credentials, creds('new'));
      assert.equal(await s.accounts.setCredentials('nobody', 'example.org', creds('x')), false);
    }));

  test('delete removes one account and says whether there was one', () =>
    withStorage(open, async (s) => {
      await s.accounts.create(account('carol'));
      await s.accounts.create(account('dave'));
      assert.equal(await s.accounts.delete('carol', 'example.org'), true);
      assert.equal(await s.accounts.delete('carol', 'example.org'), false);
      assert.equal(await s.accounts.get('carol', 'example.org'), null);
      assert.equal(await s.accounts.exists('carol', 'example.org'), false);
      assert.notEqual(await s.accounts.get('dave', 'example.org'), null);
    }));

  test('count per domain and in all', () =>
    withStorage(open, async (s) => {
      assert.equal(await s.accounts.count(), 0);
      for (const u of ['a', 'b', 'c']) await s.accounts.create(account(u));
      await s.accounts.create(account('a', 'other.org'));
      assert.equal(await s.accounts.count('example.org'), 3);
      assert.equal(await s.accounts.count('other.org'), 1);
      assert.equal(await s.accounts.count('none.org'), 0);
      assert.equal(await s.accounts.count(), 4);
    }));

  test('list is in bytewise username order and pages with an exclusive after cursor', () =>
    withStorage(open, async (s) => {
      // Mixed punctuation and digits: a locale collation would order these differently.
      const names = ['zoe', 'a-b', 'a.b', 'a_b', 'ab', 'a', 'b1', 'b10', 'b2', 'émile', 'zz'];
      for (const u of names) await s.accounts.create(account(u));
      await s.accounts.create(account('aaa', 'other.org'));
      const sorted = [...names].sort((x, y) => (Buffer.compare(Buffer.from(x), Buffer.from(y))));
      assert.deepEqual(await s.accounts.list('example.org'), sorted);
      const pages: string[][] = [];
      let after: string | undefined;
      for (let guard = 0; guard < 20; guard++) {
        const page = await s.accounts.list('example.org', { after, limit: 3 });
        if (page.length === 0) break;
        pages.push(page);
        after = page[page.length - 1];
      }
      assert.deepEqual(pages.flat(), sorted, 'every account exactly once');
      assert.ok(pages.every((p) => p.length <= 3));
      assert.deepEqual(await s.accounts.list('example.org', { after: 'b', limit: 2 }), ['b1', 'b10']);
    }));

  test('list search matches a substring, case-sensitively, together with the cursor', () =>
    withStorage(open, async (s) => {
      for (const u of ['anna', 'hannah', 'joanna', 'bob', 'nan']) await s.accounts.create(account(u));
      assert.deepEqual(await s.accounts.list('example.org', { search: 'ann' }), ['anna', 'hannah', 'joanna']);
      assert.deepEqual(await s.accounts.list('example.org', { search: 'ann', after: 'anna' }), ['hannah', 'joanna']);
      assert.deepEqual(await s.accounts.list('example.org', { search: 'ANN' }), []);
      assert.deepEqual(await s.accounts.list('example.org', { search: '%' }), [], 'no pattern characters');
    }));

  test('a created account is visible to another connection as soon as create resolves (durable before resolve)', () =>
    withStorage(open, async (s, o) => {
      await s.accounts.create(account('eve'));
      const other = await o.reopen();
      assert.deepEqual(await other.accounts.get('eve', 'example.org'), account('eve'));
    }));
});
