// The clamd INSTREAM client against a real clamd with the test signature database; and the
// reply parser alone.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { ClamdScanner, parseClamdReply } from '../../../src/scan/clamd.ts';
import { skipUnless } from '../../helpers/services.ts';
import { EICAR_SIGNATURE, eicar, startClamd, type RunningClamd } from '../../helpers/clamd.ts';
import { freePort } from '../../helpers/ports.ts';

test('clamd replies are parsed per clamd(8)', () => {
  assert.deepEqual(parseClamdReply('stream: OK\0'), { status: 'clean' });
  assert.deepEqual(parseClamdReply('stream: Win.Test.EICAR_HDB-1 FOUND\0'), { status: 'infected', signature: 'Win.Test.EICAR_HDB-1' });
  assert.equal(parseClamdReply('INSTREAM size limit exceeded. ERROR\0').status, 'error');
  assert.equal(parseClamdReply('').status, 'error');
});

test('an unreachable clamd is an error verdict, not a throw', async () => {
  const port = await freePort();
  const s = new ClamdScanner({ address: `127.0.0.1:${port}`, timeoutMs: 3000 });
  const v = await s.scan(Readable.from([Buffer.from('hello')]));
  assert.equal(v.status, 'error');
  assert.equal(await s.ping(), false);
});

describe('INSTREAM against a real clamd', { skip: skipUnless('clamd') }, () => {
  let clamd: RunningClamd;
  let scanner: ClamdScanner;
  before(async () => {
    clamd = await startClamd({ streamMaxLength: '1M' });
    scanner = new ClamdScanner({ address: clamd.address, timeoutMs: 20_000, chunkBytes: 16 });
  });
  after(async () => clamd?.dispose());

  test('PING answers PONG', async () => assert.equal(await scanner.ping(), true));

  test('clean bytes are clean', async () => {
    assert.deepEqual(await scanner.scan(Readable.from([Buffer.from('just some text\n')])), { status: 'clean' });
  });

  test('the EICAR string is found, also when split over many chunks', async () => {
    const v = await scanner.scan(Readable.from([eicar()]));
    assert.deepEqual(v, { status: 'infected', signature: EICAR_SIGNATURE });
  });

  test('more than StreamMaxLength is an error verdict', async () => {
    const big = new ClamdScanner({ address: clamd.address, timeoutMs: 20_000 });
    const v = await big.scan(Readable.from([Buffer.alloc(2 * 1024 * 1024, 0x41)]));
    assert.equal(v.status, 'error');
  });

  test('several scans at once all get verdicts (bounded concurrency)', async () => {
    const s = new ClamdScanner({ address: clamd.address, timeoutMs: 20_000, concurrency: 2 });
    const vs = await Promise.all(Array.from({ length: 6 }, (_, i) => s.scan(Readable.from([i % 2 ? eicar() : Buffer.from(`clean ${i}`)]))));
    assert.deepEqual(vs.map((v) => v.status), ['clean', 'infected', 'clean', 'infected', 'clean', 'infected']);
  });
});
