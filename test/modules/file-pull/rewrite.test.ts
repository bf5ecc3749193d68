// File pull, pure parts: finding file URLs (OOB, SIMS, SFS, bare body) and rewriting a message so
// that no remote URL is left, with body offsets recomputed in code points.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXml } from '../../helpers/parse-xml.ts';
import { extractAttachments, isEncrypted } from '../../../src/modules/file-pull/extract.ts';
import { mapOffset, replaceAll, rewriteMessage, type Outcome } from '../../../src/modules/file-pull/rewrite.ts';

const R = 'https://up.remote.example/abc/summit.jpg';
const L = 'https://b.example:5281/pull/TOKENTOKENTOKENTOKEN12/summit.jpg';

const clean = (url = R): Outcome => ({ status: 'clean', url, localUrl: L, name: 'summit.jpg', sha256: 'ab'.repeat(32) });
const infected = (url = R): Outcome => ({ status: 'infected', url, name: 'summit.jpg', sha256: 'cd'.repeat(32), notice: '[attachment "summit.jpg" withheld by b.example: malware detected (Test.Sig)]' });

describe('finding attachments', () => {
  test('OOB, SIMS, SFS and a bare URL body, deduplicated by URL, with metadata and hashes', () => {
    const m = parseXml(`<message xmlns="jabber:client" from="a@remote.example/x" to="b@b.example" id="m1">
      <body>${R}</body>
      <x xmlns="jabber:x:oob"><url>${R}</url></x>
      <reference xmlns="urn:xmpp:reference:0" begin="0" end="5" type="data"><media-sharing xmlns="urn:xmpp:sims:1">
        <file xmlns="urn:xmpp:jingle:apps:file-transfer:5"><media-type>image/jpeg</media-type><name>summit.jpg</name><size>3032449</size>
          <hash xmlns="urn:xmpp:hashes:2" algo="sha-256">AAAA</hash></file>
        <sources><reference xmlns="urn:xmpp:reference:0" type="data" uri="${R}"/><reference xmlns="urn:xmpp:reference:0" type="data" uri="xmpp:a@remote.example/x?jingle"/></sources>
      </media-sharing></reference>
      <file-sharing xmlns="urn:xmpp:sfs:0"><file xmlns="urn:xmpp:file:metadata:0"><name>other.png</name></file>
        <sources><url-data xmlns="http://jabber.org/protocol/url-data" target="https://up.remote.example/2/other.png"/></sources></file-sharing>
    </message>`);
    const atts = extractAttachments(m);
    assert.deepEqual(atts.map((a) => a.url), [R, 'https://up.remote.example/2/other.png']);
    assert.deepEqual(atts[0].via, ['oob', 'sims', 'body']);
    assert.equal(atts[0].name, 'summit.jpg');
    assert.equal(atts[0].size, 3032449);
    assert.deepEqual(atts[0].hashes, [{ algo: 'sha-256', value: 'AAAA' }]);
    assert.equal(atts[1].name, 'other.png');
  });

  test('a body with text around a URL is not an attachment; xmpp: sources are not fetchable', () => {
    const m = parseXml(`<message xmlns="jabber:client"><body>see ${R} now</body></message>`);
    assert.deepEqual(extractAttachments(m), []);
  });

  test('OMEMO and OX payloads are recognised as encrypted', () => {
    assert.equal(isEncrypted(parseXml('<message xmlns="jabber:client"><encrypted xmlns="eu.siacs.conversations.axolotl"/></message>')), true);
    assert.equal(isEncrypted(parseXml('<message xmlns="jabber:client"><openpgp xmlns="urn:xmpp:openpgp:0"/></message>')), true);
    assert.equal(isEncrypted(parseXml('<message xmlns="jabber:client"><body>x</body></message>')), false);
  });
});

describe('rewriting', () => {
  test('clean: the local URL everywhere, offsets shifted, a marker, no remote URL left', () => {
    const body = `🏔 look: ${R} !`;
    const start = Array.from(`🏔 look: `).length;
    const end = start + R.length;
    const m = parseXml(`<message xmlns="jabber:client" id="m1"><body>${body}</body>
      <x xmlns="jabber:x:oob"><url>${R}</url></x>
      <reference xmlns="urn:xmpp:reference:0" begin="${start}" end="${end}" type="data"><media-sharing xmlns="urn:xmpp:sims:1"><sources>
        <reference xmlns="urn:xmpp:reference:0" type="data" uri="${R}"/><reference xmlns="urn:xmpp:reference:0" type="data" uri="xmpp:a@remote.example/x?jingle"/></sources></media-sharing></reference>
      <markup xmlns="urn:xmpp:markup:0"><span start="${end + 1}" end="${end + 2}"><emphasis/></span></markup>
      <html xmlns="http://jabber.org/protocol/xhtml-im"><body xmlns="http://www.w3.org/1999/xhtml"><a href="${R}">pic</a></body></html>
    </message>`);
    rewriteMessage(m, [clean()], { dropNonHttp: true });
    const s = m.toString();
    assert.ok(!s.includes('up.remote.example'), s);
    assert.ok(!s.includes('xmpp:a@remote.example'), 'non-HTTP sources dropped');
    assert.equal(m.getChildText('body'), `🏔 look: ${L} !`);
    const ref = m.getChild('reference', 'urn:xmpp:reference:0')!;
    assert.equal(ref.attrs.begin, String(start));
    assert.equal(ref.attrs.end, String(start + L.length));
    const span = m.getChild('markup', 'urn:xmpp:markup:0')!.getChild('span')!;
    assert.equal(span.attrs.start, String(start + L.length + 1), 'the "!" after the URL moved by the length difference');
    assert.equal(m.getChild('x', 'jabber:x:oob')!.getChildText('url'), L);
    assert.equal(m.getChild('pulled', 'urn:parley:file-pull:0')!.attrs.status, 'clean');
    assert.equal(m.attrs.id, 'm1', 'id unchanged so receipts and corrections still match');
  });

  test('infected: sharing elements removed, notice in the body, no remote URL anywhere', () => {
    const m = parseXml(`<message xmlns="jabber:client"><body>${R}</body><x xmlns="jabber:x:oob"><url>${R}</url></x>
      <file-sharing xmlns="urn:xmpp:sfs:0"><sources><url-data xmlns="http://jabber.org/protocol/url-data" target="${R}"/></sources></file-sharing>
      <fallback xmlns="urn:xmpp:fallback:0" for="urn:xmpp:sfs:0"><body start="0" end="${R.length}"/></fallback></message>`);
    rewriteMessage(m, [infected()], { dropNonHttp: true });
    assert.ok(!m.toString().includes('up.remote.example'));
    assert.equal(m.getChild('x', 'jabber:x:oob'), undefined);
    assert.equal(m.getChild('file-sharing', 'urn:xmpp:sfs:0'), undefined);
    assert.match(m.getChildText('body')!, /withheld by b\.example: malware detected/);
    const fb = m.getChild('fallback', 'urn:xmpp:fallback:0')!.getChild('body')!;
    assert.equal(fb.attrs.end, String(Array.from(m.getChildText('body')!).length));
    assert.equal(m.getChild('pulled', 'urn:parley:file-pull:0')!.attrs.status, 'infected');
  });

  test('offset mapping snaps offsets inside a replaced span to its edges', () => {
    const { text, spans } = replaceAll('ab XXXX cd', new Map([['XXXX', 'YY']]));
    assert.equal(text, 'ab YY cd');
    assert.equal(mapOffset(3, spans, false), 3);
    assert.equal(mapOffset(7, spans, true), 5);
    assert.equal(mapOffset(5, spans, false), 3);
    assert.equal(mapOffset(9, spans, true), 7);
  });
});
