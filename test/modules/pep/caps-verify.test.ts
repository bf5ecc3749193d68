// XEP-0115 §5.1 verification string generation, checked against the §5.2 (simple) and §5.3
// (complex, with a XEP-0128 form and non-ASCII names) examples, and the §5.4 ill-formed cases.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { capsHash, verificationString, verifyCaps } from '../../../src/modules/caps/verify.ts';
import { parsePayload } from '../../../src/modules/pep/payload.ts';

const DISCO = 'http://jabber.org/protocol/disco#info';

// §5.2: client/pc "Exodus 0.9.1" with caps, disco#info, disco#items, muc (caps listed in the sorted step).
const simple = parsePayload(`<query xmlns='${DISCO}'>
  <identity category='client' type='pc' name='Exodus 0.9.1'/>
  <feature var='http://jabber.org/protocol/muc'/>
  <feature var='http://jabber.org/protocol/disco#info'/>
  <feature var='http://jabber.org/protocol/disco#items'/>
  <feature var='http://jabber.org/protocol/caps'/>
</query>`);

// §5.3, example 3. The XEP prints S with &#160; so the line does not wrap; the names in the example
// (and the hash) have an ordinary space.
const complex = parsePayload(`<query xmlns='${DISCO}' node='http://psi-im.org#q07IKJEyjvHSyhy//CH0CxmKi8w='>
  <identity xml:lang='en' category='client' name='Psi 0.11' type='pc'/>
  <identity xml:lang='el' category='client' name='\u03a8 0.11' type='pc'/>
  <feature var='http://jabber.org/protocol/caps'/>
  <feature var='http://jabber.org/protocol/disco#info'/>
  <feature var='http://jabber.org/protocol/disco#items'/>
  <feature var='http://jabber.org/protocol/muc'/>
  <x xmlns='jabber:x:data' type='result'>
    <field var='FORM_TYPE' type='hidden'><value>urn:xmpp:dataforms:softwareinfo</value></field>
    <field var='ip_version' type='text-multi'><value>ipv4</value><value>ipv6</value></field>
    <field var='os'><value>Mac</value></field>
    <field var='os_version'><value>10.5.1</value></field>
    <field var='software'><value>Psi</value></field>
    <field var='software_version'><value>0.11</value></field>
  </x>
</query>`);

describe('XEP-0115 §5.2 simple generation example', () => {
  test('builds S exactly as the XEP shows', () => {
    assert.equal(
      verificationString(simple),
      'client/pc//Exodus 0.9.1<http://jabber.org/protocol/caps<http://jabber.org/protocol/disco#info<http://jabber.org/protocol/disco#items<http://jabber.org/protocol/muc<',
    );
  });
  test('hashes to QgayPKawpkPSDYmwT/WM94uAlu0= with sha-1', () => {
    assert.equal(capsHash('sha-1', verificationString(simple)!), 'QgayPKawpkPSDYmwT/WM94uAlu0=');
    assert.equal(verifyCaps('sha-1', 'QgayPKawpkPSDYmwT/WM94uAlu0=', simple), true);
  });
});

describe('XEP-0115 §5.3 complex generation example', () => {
  test('builds S with sorted identities, features and the form', () => {
    assert.equal(
      verificationString(complex),
      'client/pc/el/\u03a8 0.11<client/pc/en/Psi 0.11<http://jabber.org/protocol/caps<http://jabber.org/protocol/disco#info<'
        + 'http://jabber.org/protocol/disco#items<http://jabber.org/protocol/muc<urn:xmpp:dataforms:softwareinfo<'
        + 'ip_version<ipv4<ipv6<os<Mac<os_version<10.5.1<software<Psi<software_version<0.11<',
    );
  });
  test('hashes to q07IKJEyjvHSyhy//CH0CxmKi8w= with sha-1', () => {
    assert.equal(verifyCaps('sha-1', 'q07IKJEyjvHSyhy//CH0CxmKi8w=', complex), true);
  });
});

describe('XEP-0115 §5.4 processing', () => {
  test('a different answer does not verify (poisoning attempt)', () => {
    const extra = parsePayload(simple.toString().replace('</query>', `<feature var='urn:xmpp:evil+notify'/></query>`));
    assert.equal(verifyCaps('sha-1', 'QgayPKawpkPSDYmwT/WM94uAlu0=', extra), false);
  });
  test('an unsupported hash never verifies', () => {
    assert.equal(verifyCaps('md5', 'QgayPKawpkPSDYmwT/WM94uAlu0=', simple), false);
  });
  test('other IANA hashes verify when they match', () => {
    const s = verificationString(simple)!;
    assert.equal(verifyCaps('sha-256', capsHash('sha-256', s), simple), true);
  });
  test('duplicate identities, duplicate features and duplicate FORM_TYPEs are ill-formed', () => {
    const dupIdentity = parsePayload(`<query xmlns='${DISCO}'><identity category='client' type='pc'/><identity category='client' type='pc'/></query>`);
    const dupFeature = parsePayload(`<query xmlns='${DISCO}'><identity category='client' type='pc'/><feature var='a'/><feature var='a'/></query>`);
    const form = `<x xmlns='jabber:x:data' type='result'><field var='FORM_TYPE' type='hidden'><value>urn:x</value></field></x>`;
    const dupForm = parsePayload(`<query xmlns='${DISCO}'><identity category='client' type='pc'/>${form}${form}</query>`);
    const twoTypes = parsePayload(`<query xmlns='${DISCO}'><x xmlns='jabber:x:data' type='result'><field var='FORM_TYPE' type='hidden'><value>a</value><value>b</value></field></x></query>`);
    for (const q of [dupIdentity, dupFeature, dupForm, twoTypes]) assert.equal(verificationString(q), null, q.toString());
  });
  test('a form whose FORM_TYPE is not hidden is left out, not fatal', () => {
    const withForm = parsePayload(simple.toString().replace('</query>', `<x xmlns='jabber:x:data' type='result'><field var='FORM_TYPE'><value>urn:x</value></field><field var='a'><value>b</value></field></x></query>`));
    assert.equal(verificationString(withForm), verificationString(simple));
  });
  test('sorting is by UTF-8 octets, not UTF-16 units', () => {
    // U+FF21 (3 UTF-8 bytes, one UTF-16 unit) sorts after U+1F600 in UTF-16 but before it in UTF-8.
    const q = parsePayload(`<query xmlns='${DISCO}'><feature var='\u{1F600}'/><feature var='\uFF21'/></query>`);
    assert.equal(verificationString(q), '\uFF21<\u{1F600}<');
  });
});
