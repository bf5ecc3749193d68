// vCard-temp PHOTO → XEP-0084 items (ItemID = SHA-1 of the image, §4.1; size from the header) and
// the XEP-0402 §5.3 conversions between native and legacy (XEP-0048) bookmarks.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { avatarItems, imageSize, vcardPhoto } from '../../../src/modules/pep/avatar.ts';
import { toLegacy, toNative } from '../../../src/modules/pep/bookmarks.ts';
import { parsePayload } from '../../../src/modules/pep/payload.ts';

/** A 3x2 PNG header (signature + IHDR); enough for the size and the hash. */
function png(width: number, height: number): Buffer {
  const b = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'latin1');
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  return b;
}

describe('vCard-temp PHOTO to XEP-0084', () => {
  test('data and metadata carry the SHA-1 of the decoded bytes as ItemID and info id', () => {
    const bytes = png(3, 2);
    const b64 = bytes.toString('base64').replace(/(.{10})/g, '$1\n  '); // line-wrapped, as clients send it
    const vcard = parsePayload(`<vCard xmlns='vcard-temp'><PHOTO><TYPE>image/png</TYPE><BINVAL>${b64}</BINVAL></PHOTO></vCard>`);
    const items = avatarItems(vcardPhoto(vcard)!);
    const sha1 = createHash('sha1').update(bytes).digest('hex');
    assert.equal(items.id, sha1);
    assert.equal(items.data.getText(), bytes.toString('base64'));
    const info = items.metadata.getChild('info')!;
    assert.deepEqual({ ...info.attrs }, { bytes: String(bytes.length), id: sha1, type: 'image/png', width: '3', height: '2' });
  });
  test('a vCard without a binary photo has none', () => {
    assert.equal(vcardPhoto(parsePayload(`<vCard xmlns='vcard-temp'><FN>x</FN></vCard>`)), null);
    assert.equal(vcardPhoto(parsePayload(`<vCard xmlns='vcard-temp'><PHOTO><EXTVAL>http://x/y.png</EXTVAL></PHOTO></vCard>`)), null);
  });
  test('sizes of GIF and JPEG headers', () => {
    const gif = Buffer.from('GIF89a\x10\x00\x20\x00', 'latin1');
    assert.deepEqual(imageSize(gif), { width: 16, height: 32 });
    // SOI, APP0 (length 4), SOF0 with height 48 and width 64.
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x30, 0x00, 0x40, 0x03]);
    assert.deepEqual(imageSize(jpeg), { width: 64, height: 48 });
    assert.equal(imageSize(Buffer.from('not an image')), null);
  });
});

describe('XEP-0402 §5.3 bookmark conversion', () => {
  test('legacy conference → native item and back', () => {
    const legacy = parsePayload(`<conference xmlns='storage:bookmarks' jid='council@conference.underhill.org' name='Council of Oberon' autojoin='1'><nick>Puck</nick><password>pw</password></conference>`);
    const n = toNative(legacy)!;
    assert.equal(n.id, 'council@conference.underhill.org');
    assert.equal(n.conference.getNS(), 'urn:xmpp:bookmarks:1');
    assert.equal(n.conference.attrs.autojoin, 'true');
    assert.equal(n.conference.getChildText('nick'), 'Puck');
    const back = toLegacy(n.id, n.conference);
    assert.equal(back.attrs.jid, 'council@conference.underhill.org');
    assert.equal(back.attrs.name, 'Council of Oberon');
    assert.equal(back.attrs.autojoin, 'true');
    assert.equal(back.getChildText('password'), 'pw');
  });
  test('a conference without a valid jid is skipped', () => {
    assert.equal(toNative(parsePayload(`<conference xmlns='storage:bookmarks' jid='@@'/>`)), null);
  });
});
