// The SSRF guard's resolver pinning, with an injected resolver: no socket is ever opened here.
// Non-loopback ranges are only ever tested this way (tests may send traffic to loopback only).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllowlist, pinAddress, type Lookup } from '../../../src/modules/file-pull/guard.ts';
import { DEFAULT_POLICY, resolvePolicy } from '../../../src/modules/file-pull/policy.ts';
import { PairQueues } from '../../../src/modules/file-pull/ordering.ts';
import { verifyHashes, hashersFor } from '../../../src/modules/file-pull/hashes.ts';
import { sniff, isDangerousMismatch } from '../../../src/modules/file-pull/sniff.ts';

const answers = (...addrs: string[]): Lookup => async () => addrs.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
const none = parseAllowlist([]);

describe('pinAddress', () => {
  test('a public answer is pinned', async () => {
    assert.deepEqual(await pinAddress('files.example', 443, answers('93.184.216.34'), none), { ok: true, address: '93.184.216.34', family: 4 });
  });
  for (const bad of ['10.0.0.1', '192.168.1.1', '169.254.169.254', '127.0.0.1', '100.64.1.1', 'fc00::1', 'fe80::1', '::1', '::ffff:10.0.0.1', '::ffff:127.0.0.1', '64:ff9b::a9fe:a9fe', '0.0.0.0', '224.0.0.1']) {
    test(`an answer ${bad} is refused`, async () => {
      const r = await pinAddress('files.example', 443, answers(bad), none);
      assert.equal(r.ok, false);
    });
  }
  test('one private answer among public ones refuses the name (rebinding setups)', async () => {
    const r = await pinAddress('files.example', 443, answers('93.184.216.34', '10.1.2.3'), none);
    assert.equal(r.ok, false);
  });
  test('IP literals are classified without a lookup', async () => {
    let looked = false;
    const lookup: Lookup = async () => {
      looked = true;
      return [];
    };
    assert.equal((await pinAddress('192.168.0.1', 443, lookup, none)).ok, false);
    assert.equal((await pinAddress('[::1]', 443, lookup, none)).ok, false);
    assert.equal(looked, false);
  });
  test('the allowlist admits exactly the listed address and port', async () => {
    const allow = parseAllowlist(['127.0.0.1:8443']);
    assert.equal((await pinAddress('127.0.0.1', 8443, answers(), allow)).ok, true);
    assert.equal((await pinAddress('127.0.0.1', 8444, answers(), allow)).ok, false);
    assert.equal((await pinAddress('127.0.0.2', 8443, answers(), allow)).ok, false);
    assert.equal((await pinAddress('localhost', 8443, answers('127.0.0.1', '::1'), allow)).ok, false, '::1 is not listed');
  });
  test('a name that does not resolve is refused with the reason', async () => {
    const r = await pinAddress('nx.example', 443, async () => { throw Object.assign(new Error('x'), { code: 'ENOTFOUND' }); }, none);
    assert.deepEqual(r, { ok: false, reason: 'nx.example does not resolve (ENOTFOUND)' });
  });
});

describe('policy resolution (user > domain > default)', () => {
  const def = { ...DEFAULT_POLICY, mode: 'pull' as const };
  test('domain override, then user override', () => {
    assert.equal(resolvePolicy(def, { 'partner.example': { mode: 'passthrough' } }, {}, 'b@b.example', 'partner.example').mode, 'passthrough');
    assert.equal(resolvePolicy(def, { 'partner.example': { mode: 'passthrough' } }, { 'b@b.example': { mode: 'strip' } }, 'b@b.example', 'partner.example').mode, 'strip');
    assert.equal(resolvePolicy(def, {}, {}, 'b@b.example', 'other.example').mode, 'pull');
  });
  test('only_domains limits the mode to the listed senders', () => {
    const p = { ...def, only_domains: ['a.example'] };
    assert.equal(resolvePolicy(p, {}, {}, 'b@b.example', 'a.example').mode, 'pull');
    assert.equal(resolvePolicy(p, {}, {}, 'b@b.example', 'z.example').mode, 'passthrough');
  });
});

test('pair queues release in arrival order even when later work finishes first', async () => {
  const fail = (err: unknown) => assert.fail(String(err));
  const q = new PairQueues();
  const order: string[] = [];
  let slow!: () => void;
  const slowReady = new Promise<void>((r) => (slow = r));
  q.push('a|b', { ready: slowReady, release: async () => void order.push('file') }, fail);
  q.push('a|b', { ready: Promise.resolve(), release: async () => void order.push('text1') }, fail);
  q.push('c|b', { ready: Promise.resolve(), release: async () => void order.push('other pair') }, fail);
  q.push('a|b', { ready: Promise.resolve(), release: async () => void order.push('text2') }, fail);
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(order, ['other pair'], 'the held pair waits; the other pair does not');
  assert.equal(q.isHolding('a|b'), true);
  slow();
  for (let i = 0; i < 50 && q.isHolding('a|b'); i++) await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(order, ['other pair', 'file', 'text1', 'text2']);
  assert.equal(q.isHolding('a|b'), false);
});

test('XEP-0300 verification: all supported must match; sha-1 and unknown do not count', () => {
  const h = hashersFor([{ algo: 'sha-256' }, { algo: 'sha3-256' }]);
  for (const x of h.values()) x.update('hello');
  const computed = new Map([...h].map(([k, v]) => [k, v.digest('base64')]));
  const sha256 = computed.get('sha-256')!;
  assert.equal(verifyHashes([{ algo: 'sha-256', value: sha256 }], computed), 'verified');
  assert.equal(verifyHashes([{ algo: 'sha-256', value: sha256 }, { algo: 'sha3-256', value: 'AAAA' }], computed), 'mismatch');
  assert.equal(verifyHashes([{ algo: 'sha-1', value: 'qvTGHdzF6KLavt4PO0gs2a6pQ00=' }, { algo: 'id-blake2b256', value: 'x' }], computed), 'unverified');
});

test('magic bytes tell an executable posing as an image', () => {
  assert.equal(sniff(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0]))?.type, 'image/png');
  assert.equal(sniff(Buffer.from('MZ\x90\x00', 'latin1'))?.kind, 'executable');
  assert.equal(isDangerousMismatch('image/jpeg', 'executable'), true);
  assert.equal(isDangerousMismatch('application/zip', 'archive'), false);
  assert.equal(isDangerousMismatch('image/png', 'image'), false);
});
