// XEP-0054 vcard-temp, end to end with @xmpp/client: the owner sets and reads their vCard (§3.1,
// §3.2), others read it at the bare JID whether or not the owner is online (§3.3), missing vCards
// and missing accounts look the same (<service-unavailable/>), the module's size limit answers
// <not-acceptable/> and the session goes on, a vCard over the stanza limit ends the stream without
// storing anything, and available presence carries the XEP-0153 photo hash.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { skipUnless } from '../helpers/services.ts';
import { startSlixOps } from '../helpers/slix-ops.ts';
import { RawXmpp, streamErrorCondition } from '../helpers/raw.ts';
import { becomeAvailable, connectXmppjs, disconnect, expectStanza, nextId, send, sync, type Client } from '../helpers/xmppjs.ts';

const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
const VCARD = 'vcard-temp';

describe('XEP-0054 vcard-temp', () => {
  let server: RunningServer;
  let d: string;
  let open: Client[] = [];
  const login = async (username: string): Promise<Client> => {
    const c = await connectXmppjs({ port: server.ports.c2s, domain: d, username, password: `${username}-secret`, mechanism: 'PLAIN' });
    open.push(c);
    return c;
  };
  const vcardIq = async (c: Client, type: 'get' | 'set', inner = '', to?: string) => {
    const id = nextId('vc');
    await send(c, `<iq type="${type}" id="${id}"${to ? ` to="${to}"` : ''}><vCard xmlns="${VCARD}">${inner}</vCard></iq>`);
    return expectStanza(c, (el) => el.name === 'iq' && el.attrs.id === id && el.attrs.type !== 'get' && el.attrs.type !== 'set');
  };
  const condition = (iq: Awaited<ReturnType<typeof vcardIq>>) => iq.getChild('error')?.getChildElements().find((e) => e.getNS() === STANZAS && e.name !== 'text')?.name;

  before(async () => {
    server = await startServer();
    d = server.domain;
    for (const u of ['juliet', 'romeo', 'nurse']) await server.adduser(u, `${u}-secret`);
  });
  afterEach(async () => {
    await Promise.all(open.map(disconnect));
    open = [];
  });
  after(async () => {
    await server?.stop();
  });

  test('vcard-temp is advertised by the server', async () => {
    const c = await login('nurse');
    await send(c, `<iq type="get" to="${d}" id="disco"><query xmlns="http://jabber.org/protocol/disco#info"/></iq>`);
    await expectStanza(c, `<iq type="result" id="disco"><query xmlns="http://jabber.org/protocol/disco#info"><feature var="${VCARD}"/></query></iq>`);
  });

  test('the owner sets and reads it; others read it at the bare JID while the owner is offline', async () => {
    const juliet = await login('juliet');
    const before = await vcardIq(juliet, 'get');
    assert.equal(before.attrs.type, 'result', 'an owner without a vCard gets an empty one (XEP-0054 §3.1)');
    assert.equal(before.getChild('vCard', VCARD)!.getChildElements().length, 0);

    const set = await vcardIq(juliet, 'set', `<FN>Juliet Capulet</FN><NICKNAME>jc</NICKNAME><EMAIL><INTERNET/><USERID>juliet@${d}</USERID></EMAIL>`);
    assert.equal(set.attrs.type, 'result', set.toString());
    const own = await vcardIq(juliet, 'get');
    assert.equal(own.getChild('vCard', VCARD)!.getChildText('FN'), 'Juliet Capulet');
    await disconnect(juliet);

    const romeo = await login('romeo');
    const theirs = await vcardIq(romeo, 'get', '', `juliet@${d}`);
    assert.equal(theirs.attrs.type, 'result', theirs.toString());
    assert.equal(theirs.attrs.from, `juliet@${d}`, 'answered by the server on behalf of the account (XEP-0054 §3.3)');
    const v = theirs.getChild('vCard', VCARD)!;
    assert.equal(v.getChildText('NICKNAME'), 'jc');
    assert.equal(v.getChild('EMAIL')!.getChildText('USERID'), `juliet@${d}`);
  });

  test('no vCard and no account give the same <service-unavailable/> (XEP-0054 §3.3)', async () => {
    const romeo = await login('romeo');
    const none = await vcardIq(romeo, 'get', '', `nurse@${d}`);
    const nobody = await vcardIq(romeo, 'get', '', `nobody@${d}`);
    assert.equal(condition(none), 'service-unavailable');
    assert.equal(condition(nobody), 'service-unavailable');
  });

  test('setting someone else\'s vCard is <forbidden/> (XEP-0054 §3.2)', async () => {
    const romeo = await login('romeo');
    const r = await vcardIq(romeo, 'set', '<FN>not Juliet</FN>', `juliet@${d}`);
    assert.equal(condition(r), 'forbidden');
    const juliet = await login('juliet');
    assert.notEqual((await vcardIq(juliet, 'get')).getChild('vCard', VCARD)!.getChildText('FN'), 'not Juliet');
  });

  test('a vCard over the module limit (64 KiB) gets <not-acceptable/>; nothing is stored and the session goes on', async () => {
    const romeo = await login('romeo');
    await vcardIq(romeo, 'set', '<FN>Romeo</FN>');
    const photo = randomBytes(96 * 1024).toString('base64'); // ~128 KiB of XML: under the 256 KiB stanza limit
    const r = await vcardIq(romeo, 'set', `<FN>Big Romeo</FN><PHOTO><TYPE>image/png</TYPE><BINVAL>${photo}</BINVAL></PHOTO>`);
    assert.equal(r.attrs.type, 'error');
    assert.equal(condition(r), 'not-acceptable');
    await sync(romeo, d);
    assert.equal((await vcardIq(romeo, 'get')).getChild('vCard', VCARD)!.getChildText('FN'), 'Romeo');
  });

  test('a 10 MiB vCard ends the stream with <policy-violation/> and stores nothing', async () => {
    const nurse = await login('nurse');
    await vcardIq(nurse, 'set', '<FN>Nurse</FN>');
    const raw = await RawXmpp.login({ port: server.ports.c2s, domain: d, username: 'nurse', password: 'nurse-secret', bind: true });
    try {
      const huge = `<iq type='set' id='huge'><vCard xmlns='${VCARD}'><FN>Huge</FN><DESC>${'A'.repeat(10 * 1024 * 1024)}</DESC></vCard></iq>`;
      await raw.writeAll(huge);
      const text = await raw.waitClosed(10_000);
      assert.equal(streamErrorCondition(text), 'policy-violation');
    } finally {
      raw.destroy();
    }
    assert.equal((await vcardIq(nurse, 'get')).getChild('vCard', VCARD)!.getChildText('FN'), 'Nurse');
  });

  test('available presence carries the XEP-0153 photo hash of the stored vCard', async () => {
    const image = randomBytes(2048);
    const sha1 = createHash('sha1').update(image).digest('hex');
    const juliet = await login('juliet');
    const romeo = await login('romeo');
    await becomeAvailable(romeo, d);
    await vcardIq(juliet, 'set', `<FN>Juliet</FN><PHOTO><TYPE>image/png</TYPE><BINVAL>${image.toString('base64')}</BINVAL></PHOTO>`);
    await send(juliet, `<presence to="${romeo.jid}"/>`);
    await expectStanza(romeo, `<presence from="${juliet.jid}"><x xmlns="vcard-temp:x:update"><photo>${sha1}</photo></x></presence>`);
    // A client that sends its own update element keeps it as it is (XEP-0153 §4.1).
    await send(juliet, `<presence to="${romeo.jid}" id="own-x"><x xmlns="vcard-temp:x:update"/></presence>`);
    const p = await expectStanza(romeo, `<presence id="own-x" from="${juliet.jid}"/>`);
    assert.equal(p.getChildren('x', 'vcard-temp:x:update').length, 1);
    assert.equal(p.getChild('x', 'vcard-temp:x:update')!.getChildElements().length, 0);
  });

  test('slixmpp: publishes a vCard @xmpp/client reads, and reads theirs; a missing one is <service-unavailable/>', { skip: skipUnless('slixmpp') }, async () => {
    const juliet = await login('juliet');
    await vcardIq(juliet, 'set', '<FN>Juliet via xmpp.js</FN>');
    const slix = await startSlixOps({ port: server.ports.c2s, jid: `romeo@${d}`, password: 'romeo-secret' });
    try {
      assert.equal((await slix.request({ op: 'vcard_set', fn: 'Romeo via slixmpp' })).event, 'result', slix.transcript());
      const theirs = await slix.request({ op: 'vcard_get', jid: `juliet@${d}` });
      assert.equal(theirs.fn, 'Juliet via xmpp.js', slix.transcript());
      const missing = await slix.request({ op: 'vcard_get', jid: `nobody@${d}` });
      assert.equal(missing.event, 'iq_error', slix.transcript());
      assert.equal(missing.condition, 'service-unavailable');
    } finally {
      await slix.quit();
    }
    const romeo = await vcardIq(juliet, 'get', '', `romeo@${d}`);
    assert.equal(romeo.getChild('vCard', VCARD)!.getChildText('FN'), 'Romeo via slixmpp');
  });
});
