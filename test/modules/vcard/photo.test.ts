// XEP-0153 §3.2 photo hash and the presence update element.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { isEmptyVcard, photoHash, photoUpdate } from '../../../src/modules/vcard/photo.ts';
import { parseElement } from '../../../src/xml/parse-element.ts';

const vcard = (inner: string) => parseElement(`<vCard xmlns="vcard-temp">${inner}</vCard>`)!;

describe('XEP-0153 photo hash', () => {
  const image = Buffer.from('not really a PNG, but bytes all the same \x00\x01\x02');
  const sha1 = createHash('sha1').update(image).digest('hex');

  test('is the SHA-1 of the decoded BINVAL, whatever the line breaks in the base64', () => {
    const b64 = image.toString('base64');
    const wrapped = b64.replace(/(.{16})/g, '$1\n  ');
    assert.equal(photoHash(vcard(`<FN>x</FN><PHOTO><TYPE>image/png</TYPE><BINVAL>${b64}</BINVAL></PHOTO>`)), sha1);
    assert.equal(photoHash(vcard(`<PHOTO><BINVAL>\n${wrapped}\n</BINVAL></PHOTO>`)), sha1);
  });
  test('is null without a binary photo', () => {
    assert.equal(photoHash(vcard('<FN>x</FN>')), null);
    assert.equal(photoHash(vcard('<PHOTO><EXTVAL>https://example.com/a.png</EXTVAL></PHOTO>')), null);
    assert.equal(photoHash(vcard('<PHOTO><BINVAL></BINVAL></PHOTO>')), null);
    assert.equal(photoHash(vcard('<PHOTO><BINVAL>!!not base64!!</BINVAL></PHOTO>')), null);
  });
  test('the update element carries the hash, or an empty <photo/> for "no avatar"', () => {
    assert.equal(photoUpdate('abc').toString(), '<x xmlns="vcard-temp:x:update"><photo>abc</photo></x>');
    assert.equal(photoUpdate(null).toString(), '<x xmlns="vcard-temp:x:update"><photo/></x>');
  });
  test('an empty vCard is recognised (whitespace only)', () => {
    assert.equal(isEmptyVcard(vcard('')), true);
    assert.equal(isEmptyVcard(vcard('\n  ')), true);
    assert.equal(isEmptyVcard(vcard('<FN/>')), false);
  });
});
