// Emoji Markup (proto-XEP urn:xmpp:markup:emoji:0) end to end, as docs/emoji.md promises: the
// host and its MUC rooms advertise the feature; a custom-emoji message keeps its body and its
// XEP-0394 <markup/> and XEP-0447 <file-sharing/> subtrees byte for byte through a room (every
// occupant, room MAM) and over s2s to a remote user, whose server (file-pull mode "pull") fetches
// the emoji image from the remote host and gives the recipient a local URL; emoji images outside
// the emoji limits (size, type) lose only their <file-sharing/>, never the text.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { Element } from 'ltx';
import { startServer, testCert, testKey, type RunningServer } from '../helpers/server.ts';
import { freePorts } from '../helpers/ports.ts';
import { connectSide, closeAll } from '../helpers/federation.ts';
import { expectStanza, nextId, send, type Client } from '../helpers/xmppjs.ts';
import { createInstantRoom, iqOk, join } from '../helpers/muc.ts';
import { mamQuery } from '../helpers/mam.ts';
import { httpReq } from '../helpers/https-request.ts';
import { startOrigin, type Origin } from '../helpers/file-origin.ts';

const A = 'a.parley.test';
const B = 'b.parley.test';
const EMOJI = 'urn:xmpp:markup:emoji:0';
const MARKUP = 'urn:xmpp:markup:0';
const SFS = 'urn:xmpp:sfs:0';
const ROOM = `emoji@conference.${A}`;
const EMOJI_MAX = 4096;

/** A PNG-looking image (magic number first, so the type sniffer sees an image). */
const png = (n: number) => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(n - 8)]);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('base64');

/** The spec's example shape: body with an astral emoji before the span, combining marks and trailing spaces. */
function emojiMessage(o: { url: string; hash: string; type?: string; size: number; name?: string }): { body: string; markup: string; sharing: string } {
  // Offsets in code points: 'ship 🚀 it e\u0301 ' is 12 code points, then ':rocketcat:' (11).
  const body = 'ship 🚀 it e\u0301 :rocketcat:  ';
  const markup = `<markup xmlns="${MARKUP}"><span start="12" end="23"><emoji xmlns="${EMOJI}" name="${o.name ?? 'rocketcat'}"><hash xmlns="urn:xmpp:hashes:2" algo="sha-256">${o.hash}</hash></emoji></span></markup>`;
  const sharing = `<file-sharing xmlns="${SFS}"><file xmlns="urn:xmpp:file:metadata:0"><media-type>${o.type ?? 'image/png'}</media-type><name>${o.name ?? 'rocketcat'}.png</name><size>${o.size}</size><hash xmlns="urn:xmpp:hashes:2" algo="sha-256">${o.hash}</hash></file><sources><url-data xmlns="http://jabber.org/protocol/url-data" target="${o.url}"/></sources></file-sharing>`;
  return { body, markup, sharing };
}

const features = (q: Element) => q.getChildren('feature').map((f) => f.attrs.var as string);

describe('Emoji Markup: disco, MUC reflection and archive, remote emoji images pulled', () => {
  let a: RunningServer;
  let b: RunningServer;
  let alice: Client;
  let carol: Client;
  let bob: Client;
  let origin: Origin;
  const image = png(1500);
  const big = png(EMOJI_MAX * 4);

  before(async () => {
    origin = await startOrigin({
      '/rocketcat.png': (s) => s(200, { 'content-type': 'image/png' }, image),
      '/liar.png': (s) => s(200, { 'content-type': 'image/png' }, big),
      '/huge.png': (s) => s(200, { 'content-type': 'image/png' }, big),
      '/vector.svg': (s) => s(200, { 'content-type': 'image/svg+xml' }, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')),
    });
    const [pa, pb] = await freePorts(2);
    const tls = { certificate: testCert, key: testKey };
    a = await startServer({ domains: [A], config: { tls, s2s: { port: pa, routes: { [B]: `127.0.0.1:${pb}` } } } });
    b = await startServer({
      domains: [B],
      env: { NODE_ENV: 'test' },
      config: {
        tls,
        s2s: { port: pb, routes: { [A]: `127.0.0.1:${pa}` } },
        modules: {
          'file-pull': { mode: 'pull', hold_max_seconds: 10, test_allowlist: [`127.0.0.1:${origin.port}`] },
          emoji: { max_bytes: EMOJI_MAX },
        },
      },
    });
    await a.adduser('alice', 'pw-alice');
    await a.adduser('carol', 'pw-carol');
    await b.adduser('bob', 'pw-bob');
    alice = await connectSide({ domain: A, port: a.ports.c2s, user: 'alice', password: 'pw-alice' });
    carol = await connectSide({ domain: A, port: a.ports.c2s, user: 'carol', password: 'pw-carol' });
    bob = await connectSide({ domain: B, port: b.ports.c2s, user: 'bob', password: 'pw-bob' });
  });

  after(async () => {
    await closeAll(alice, carol, bob);
    await a?.stop();
    await b?.stop();
    await origin?.close();
  });

  test('disco#info of the host and of a MUC room lists urn:xmpp:markup:emoji:0', async () => {
    const host = await iqOk(alice, A, 'get', '<query xmlns="http://jabber.org/protocol/disco#info"/>');
    assert.ok(features(host.getChild('query')!).includes(EMOJI), host.toString());
    await createInstantRoom(alice, ROOM, 'alice');
    await join(carol, ROOM, 'carol');
    const room = await iqOk(carol, ROOM, 'get', '<query xmlns="http://jabber.org/protocol/disco#info"/>');
    assert.ok(features(room.getChild('query')!).includes(EMOJI), room.toString());
  });

  test('MUC: every occupant (sender included) and the room archive get body, markup and file-sharing unchanged', async () => {
    const m = emojiMessage({ url: origin.url('/rocketcat.png'), hash: sha256(image), size: image.length });
    const id = nextId('emoji-room');
    await send(alice, `<message to="${ROOM}" type="groupchat" id="${id}"><body>${m.body}</body>${m.markup}${m.sharing}</message>`);
    const sent = { markup: m.markup, sharing: m.sharing };
    for (const c of [alice, carol]) {
      const got = await expectStanza(c, (el) => el.name === 'message' && el.attrs.id === id, 10_000);
      assert.equal(got.getChildText('body'), m.body, 'body untouched (trailing spaces, astral emoji, combining mark)');
      assert.equal(got.getChild('markup', MARKUP)!.toString(), sent.markup);
      assert.equal(got.getChild('file-sharing', SFS)!.toString(), sent.sharing, 'a local room keeps the sender\'s sources');
    }
    const { results } = await mamQuery(carol, { to: ROOM });
    const archived = results.find((r) => r.message.getChild('markup', MARKUP));
    assert.ok(archived, 'the room archive holds the message');
    assert.equal(archived.body, m.body);
    assert.equal(archived.message.getChild('markup', MARKUP)!.toString(), sent.markup);
    assert.equal(archived.message.getChild('file-sharing', SFS)!.toString(), sent.sharing);
  });

  test('local chat: recipient, the sender\'s carbon copy, offline delivery and MAM keep body and subtrees unchanged', async () => {
    await a.adduser('dave', 'pw-dave');
    const alice2 = await connectSide({ domain: A, port: a.ports.c2s, user: 'alice', password: 'pw-alice' });
    try {
      const enabled = await iqOk(alice2, A, 'set', '<enable xmlns="urn:xmpp:carbons:2"/>');
      assert.equal(enabled.attrs.type, 'result');
      const m = emojiMessage({ url: 'https://files.example.org/ab12/rocketcat.png', hash: sha256(image), size: image.length });
      const stanza = (id: string, to: string) => `<message to="${to}" type="chat" id="${id}"><body>${m.body}</body>${m.markup}${m.sharing}</message>`;
      const same = (el: Element, what: string) => {
        assert.equal(el.getChildText('body'), m.body, what);
        assert.equal(el.getChild('markup', MARKUP)!.toString(), m.markup, what);
        assert.equal(el.getChild('file-sharing', SFS)!.toString(), m.sharing, what);
      };
      const id = nextId('emoji-local');
      await send(alice, stanza(id, `carol@${A}`));
      same(await expectStanza(carol, (el) => el.name === 'message' && el.attrs.id === id), 'recipient');
      const carbon = await expectStanza(alice2, (el) => el.name === 'message' && !!el.getChild('sent', 'urn:xmpp:carbons:2'));
      same(carbon.getChild('sent')!.getChild('forwarded')!.getChild('message')!, 'carbon copy');
      const { results } = await mamQuery(carol, { with: `alice@${A}` });
      same(results.find((r) => r.message.attrs.id === id)!.message, 'MAM');

      const offId = nextId('emoji-offline');
      await send(alice, stanza(offId, `dave@${A}`));
      await iqOk(alice, A, 'get', '<ping xmlns="urn:xmpp:ping"/>'); // the message is stored before dave logs in
      const dave = await connectSide({ domain: A, port: a.ports.c2s, user: 'dave', password: 'pw-dave' });
      try {
        same(await expectStanza(dave, (el) => el.name === 'message' && el.attrs.id === offId), 'offline delivery');
      } finally {
        await closeAll(dave);
      }
    } finally {
      await closeAll(alice2);
    }
  });

  test('s2s: the remote recipient gets the markup intact and the emoji image at a local URL with the same bytes', async () => {
    const hash = sha256(image);
    const m = emojiMessage({ url: origin.url('/rocketcat.png'), hash, size: image.length });
    const id = nextId('emoji-s2s');
    const fetchedBefore = origin.requests.filter((r) => r.path === '/rocketcat.png').length;
    await send(alice, `<message to="bob@${B}" type="chat" id="${id}"><body>${m.body}</body>${m.markup}${m.sharing}</message>`);
    const got = await expectStanza(bob, (el) => el.name === 'message' && el.attrs.id === id, 20_000);
    assert.equal(got.getChildText('body'), m.body, 'body and therefore every offset unchanged');
    assert.equal(got.getChild('markup', MARKUP)!.toString(), m.markup);
    const fs = got.getChild('file-sharing', SFS)!;
    assert.ok(fs, got.toString());
    const file = fs.getChild('file', 'urn:xmpp:file:metadata:0')!;
    assert.equal(file.getChild('hash')!.getText(), hash, 'the hash the <emoji/> references is kept');
    const target = fs.getChild('sources', SFS)!.getChild('url-data')!.attrs.target as string;
    assert.ok(target.startsWith(`https://${B}:${b.ports.https}/pull/`), target);
    assert.ok(!got.toString().includes(`${origin.port}/rocketcat.png`), 'no remote URL reaches bob');
    assert.equal(origin.requests.filter((r) => r.path === '/rocketcat.png').length - fetchedBefore, 1, 'fetched once, by b.parley.test');
    const res = await httpReq(target, { connectTo: '127.0.0.1' });
    assert.equal(res.status, 200);
    assert.equal(sha256(res.body), hash);
    // bob's archive holds the copy he received.
    const { results } = await mamQuery(bob, { with: `alice@${A}` });
    const archived = results.find((r) => r.message.attrs.id === id);
    assert.ok(archived);
    assert.equal(archived.message.getChild('markup', MARKUP)!.toString(), m.markup);
    assert.equal(archived.message.getChild('file-sharing', SFS)!.getChild('sources', SFS)!.getChild('url-data')!.attrs.target, target);
  });

  test('emoji limits: too large (declared or actual) and SVG lose only their <file-sharing/>; the text stays, no notice', async () => {
    const cases = [
      { path: '/huge.png', size: big.length, hash: sha256(big), fetched: false, why: 'declared larger than max_bytes' },
      { path: '/vector.svg', size: 40, hash: sha256(Buffer.from('x')), type: 'image/svg+xml', fetched: false, why: 'SVG' },
      { path: '/liar.png', size: 1000, hash: sha256(big), fetched: true, why: 'declared small, body larger than max_bytes' },
    ];
    for (const c of cases) {
      const m = emojiMessage({ url: origin.url(c.path), hash: c.hash, size: c.size, type: c.type });
      const id = nextId('emoji-limit');
      const before = origin.requests.filter((r) => r.path === c.path).length;
      await send(alice, `<message to="bob@${B}" type="chat" id="${id}"><body>${m.body}</body>${m.markup}${m.sharing}</message>`);
      const got = await expectStanza(bob, (el) => el.name === 'message' && el.attrs.id === id, 20_000);
      assert.equal(got.getChildText('body'), m.body, `${c.why}: the fallback text stays, no withheld notice`);
      assert.equal(got.getChild('markup', MARKUP)!.toString(), m.markup, c.why);
      assert.equal(got.getChild('file-sharing', SFS), undefined, `${c.why}: the image is dropped`);
      assert.ok(!got.toString().includes(String(origin.port)), c.why);
      assert.equal(origin.requests.filter((r) => r.path === c.path).length > before, c.fetched, `${c.why}: fetched?`);
    }
  });
});
