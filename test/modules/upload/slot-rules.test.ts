// XEP-0363 pure rules: slot request checks (§4, §6), purposes (§5), quota and rate decisions,
// the PUT token, byte ranges and served headers.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXml } from '../../helpers/parse-xml.ts';
import { parseSlotRequest, sanitizeFilename, type RequestLimits } from '../../../src/modules/upload/request.ts';
import { checkQuota, checkRate } from '../../../src/modules/upload/quota.ts';
import { authorizationHeader, checkAuthorization } from '../../../src/modules/upload/token.ts';
import { contentDisposition, decideRange, noneMatch } from '../../../src/modules/upload/http-headers.ts';
import { StanzaError } from '../../../src/stanza/errors.ts';

const now = Date.parse('2026-06-01T00:00:00Z');
const limits: RequestLimits = { maxSize: { message: 1000, ephemeral: 1000, profile: 100, permanent: 5000 }, permanentEnabled: false, deniedTypes: ['application/x-msdownload'], now };
const req = (attrs: string, inner = '') => parseXml(`<request xmlns="urn:xmpp:http:upload:0" ${attrs}>${inner}</request>`);
const cond = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof StanzaError) return `${e.type}/${e.condition}${e.appCondition ? '/' + e.appCondition.name : ''}`;
    throw e;
  }
  return 'ok';
};

describe('slot requests', () => {
  test('a good request, default purpose message', () => {
    assert.deepEqual(parseSlotRequest(req('filename="très cool.jpg" size="10" content-type="image/JPEG"'), limits), { name: 'très cool.jpg', size: 10, type: 'image/jpeg', purpose: 'message', expireBefore: undefined });
  });
  test('errors per XEP-0363 §6 and http-upload.md §2', () => {
    assert.equal(cond(() => parseSlotRequest(req('size="10"'), limits)), 'modify/bad-request');
    assert.equal(cond(() => parseSlotRequest(req(`filename="${'x'.repeat(256)}" size="10"`), limits)), 'modify/bad-request');
    assert.equal(cond(() => parseSlotRequest(req('filename="..." size="10"'), limits)), 'modify/bad-request');
    assert.equal(cond(() => parseSlotRequest(req('filename="a" size="-1"'), limits)), 'modify/bad-request');
    assert.equal(cond(() => parseSlotRequest(req('filename="a" size="1001"'), limits)), 'modify/not-acceptable/file-too-large');
    assert.equal(cond(() => parseSlotRequest(req('filename="a" size="101"', '<profile xmlns="urn:xmpp:http:upload:purpose:0"/>'), limits)), 'modify/not-acceptable/file-too-large');
    assert.equal(cond(() => parseSlotRequest(req('filename="a" size="1" content-type="application/x-msdownload"'), limits)), 'modify/not-acceptable');
    assert.equal(cond(() => parseSlotRequest(req('filename="a" size="1" content-type="text"'), limits)), 'modify/bad-request');
    assert.equal(cond(() => parseSlotRequest(req('filename="a" size="1"', '<ephemeral xmlns="urn:xmpp:http:upload:purpose:0" expire-before="2026-05-01T00:00:00Z"/>'), limits)), 'modify/bad-request');
    assert.equal(cond(() => parseSlotRequest(req('filename="a" size="1"', '<ephemeral xmlns="urn:xmpp:http:upload:purpose:0"/>'), limits)), 'modify/bad-request');
  });
  test('purposes: ephemeral keeps its stamp; permanent only when enabled; unknown → message', () => {
    assert.equal(parseSlotRequest(req('filename="a" size="1"', '<ephemeral xmlns="urn:xmpp:http:upload:purpose:0" expire-before="2026-06-02T00:00:00Z"/>'), limits).expireBefore, Date.parse('2026-06-02T00:00:00Z'));
    assert.equal(parseSlotRequest(req('filename="a" size="1"', '<permanent xmlns="urn:xmpp:http:upload:purpose:0"/>'), limits).purpose, 'message');
    assert.equal(parseSlotRequest(req('filename="a" size="1"', '<permanent xmlns="urn:xmpp:http:upload:purpose:0"/>'), { ...limits, permanentEnabled: true }).purpose, 'permanent');
    assert.equal(parseSlotRequest(req('filename="a" size="1"', '<story xmlns="urn:xmpp:http:upload:purpose:0"/>'), limits).purpose, 'message');
  });
  test('filenames lose separators, control characters, bidi overrides and leading dots', () => {
    assert.equal(sanitizeFilename('../../etc/passwd'), 'etcpasswd');
    assert.equal(sanitizeFilename('.htaccess'), 'htaccess');
    assert.equal(sanitizeFilename('a\u0000b\nc.txt'), 'abc.txt');
    assert.equal(sanitizeFilename('report\u202Efdp.exe'), 'reportfdp.exe');
    assert.equal(sanitizeFilename(' . '), null);
  });
});

test('rate: the retry stamp is when the oldest slot in the window leaves it', () => {
  assert.equal(checkRate([1, 2, 3], 4, 100), null);
  const e = checkRate([10, 20, 30, 40], 4, 100)!;
  assert.equal(e.condition, 'resource-constraint');
  assert.equal(e.appCondition?.attrs.stamp, '1970-01-01T00:00:00Z');
});

test('quota: wait for the next release, or not-allowed when nothing will free', () => {
  assert.equal(checkQuota(100, 50, 200, null), null);
  assert.equal(checkQuota(180, 50, 200, 5000)?.type, 'wait');
  assert.equal(checkQuota(180, 50, 200, null)?.condition, 'not-allowed');
  assert.equal(checkQuota(0, 300, 200, 5000)?.condition, 'not-allowed');
});

test('the PUT token is bound to slot id, size, type and deadline', () => {
  const key = Buffer.alloc(32, 7);
  const s = { id: 'AAAAAAAAAAAAAAAAAAAAAA', size: 10, type: 'image/png', putDeadline: 1000 };
  const h = authorizationHeader(key, s);
  assert.equal(checkAuthorization(key, s, h), true);
  assert.equal(checkAuthorization(key, { ...s, size: 11 }, h), false);
  assert.equal(checkAuthorization(key, { ...s, type: 'text/html' }, h), false);
  assert.equal(checkAuthorization(key, { ...s, putDeadline: 2000 }, h), false);
  assert.equal(checkAuthorization(key, { ...s, id: 'BAAAAAAAAAAAAAAAAAAAAA' }, h), false);
  assert.equal(checkAuthorization(Buffer.alloc(32, 8), s, h), false);
  assert.equal(checkAuthorization(key, s, undefined), false);
});

test('RFC 9110 ranges', () => {
  assert.deepEqual(decideRange('bytes=0-9', 100), { kind: 'partial', start: 0, end: 9 });
  assert.deepEqual(decideRange('bytes=90-', 100), { kind: 'partial', start: 90, end: 99 });
  assert.deepEqual(decideRange('bytes=-5', 100), { kind: 'partial', start: 95, end: 99 });
  assert.deepEqual(decideRange('bytes=-500', 100), { kind: 'partial', start: 0, end: 99 });
  assert.deepEqual(decideRange('bytes=50-5000', 100), { kind: 'partial', start: 50, end: 99 });
  assert.deepEqual(decideRange('bytes=100-', 100), { kind: 'unsatisfiable' });
  assert.deepEqual(decideRange('bytes=-0', 100), { kind: 'unsatisfiable' });
  assert.deepEqual(decideRange('bytes=0-1,5-6', 100), { kind: 'full' });
  assert.deepEqual(decideRange('items=0-1', 100), { kind: 'full' });
  assert.deepEqual(decideRange('bytes=9-2', 100), { kind: 'full' });
});

test('disposition: inline only for non-SVG media; RFC 8187 names', () => {
  assert.match(contentDisposition('image/png', 'a.png'), /^inline;/);
  assert.match(contentDisposition('image/svg+xml', 'a.svg'), /^attachment;/);
  assert.match(contentDisposition('text/html; charset=utf-8', 'a.html'), /^attachment;/);
  assert.equal(contentDisposition('application/pdf', 'très "x".pdf'), `attachment; filename="tr_s _x_.pdf"; filename*=UTF-8''tr%C3%A8s%20%22x%22.pdf`);
  assert.equal(noneMatch('W/"abc", "def"', '"abc"'), true);
  assert.equal(noneMatch('"def"', '"abc"'), false);
});
