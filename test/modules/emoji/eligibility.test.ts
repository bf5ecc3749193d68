// Which files of a message are emoji images (hash match only) and which of them may be pulled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXml } from '../../helpers/parse-xml.ts';
import { emojiImages } from '../../../src/modules/emoji/markup.ts';
import { ineligible } from '../../../src/modules/emoji/eligibility.ts';

const limits = { maxBytes: 1000, maxPerMessage: 2, mediaTypes: ['image/png', 'image/gif'] };
const sharing = (hash: string, url: string, type = 'image/png', size = 100, algo = 'sha-256') =>
  `<file-sharing xmlns="urn:xmpp:sfs:0"><file xmlns="urn:xmpp:file:metadata:0"><media-type>${type}</media-type><size>${size}</size><hash xmlns="urn:xmpp:hashes:2" algo="${algo}">${hash}</hash></file><sources><url-data xmlns="http://jabber.org/protocol/url-data" target="${url}"/></sources></file-sharing>`;
const emoji = (hash: string, algo = 'sha-256') => `<span start="0" end="3"><emoji xmlns="urn:xmpp:markup:emoji:0" name="e"><hash xmlns="urn:xmpp:hashes:2" algo="${algo}">${hash}</hash></emoji></span>`;

test('only files an <emoji/> references by hash (same algo) are emoji images; plain attachments are not', () => {
  const m = parseXml(`<message><body>:a: :b:</body><markup xmlns="urn:xmpp:markup:0">${emoji('AAA')}${emoji('BBB', 'sha-512')}</markup>
    ${sharing('AAA', 'https://x.example/a.png')}${sharing('BBB', 'https://x.example/b.png')}${sharing('CCC', 'https://x.example/photo.png')}</message>`);
  assert.deepEqual(emojiImages(m).map((i) => i.urls), [['https://x.example/a.png']], 'BBB is a sha-512 in the emoji but sha-256 on the file');
  assert.deepEqual(emojiImages(parseXml(`<message><body>x</body>${sharing('AAA', 'https://x.example/a.png')}</message>`)), []);
});

test('eligibility: https, allowed declared type (never unknown), declared size, a supported hash, count', () => {
  const img = (o: Partial<{ urls: string[]; mediaType: string; size: number; algo: string }> = {}) =>
    ({ urls: o.urls ?? ['https://x.example/a.png'], mediaType: 'mediaType' in o ? o.mediaType : 'image/png', size: o.size ?? 100, hashes: [{ algo: o.algo ?? 'sha-256', value: 'A' }] });
  assert.equal(ineligible(img(), 0, limits), null);
  assert.match(ineligible(img({ urls: ['http://x.example/a.png'] }), 0, limits)!, /https/);
  assert.match(ineligible(img({ mediaType: 'image/svg+xml' }), 0, limits)!, /not accepted/);
  assert.match(ineligible(img({ mediaType: undefined }), 0, limits)!, /not accepted/);
  assert.match(ineligible(img({ size: 1001 }), 0, limits)!, /larger/);
  assert.match(ineligible(img({ algo: 'sha-1' }), 0, limits)!, /supported hash/);
  assert.match(ineligible(img(), 2, limits)!, /more than 2/);
});
